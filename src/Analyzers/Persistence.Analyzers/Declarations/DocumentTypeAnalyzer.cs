using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Persistence.Generators.Parsing;

namespace Persistence.Analyzers.Declarations;

/// <summary>
/// Reports the problems the generator's parser finds in a [Collection] or [Embedded] type (PST0001 to PST0024, PST0030 to PST0035): the
/// same <see cref="TypeParser"/> decides, so a type the generator skips always has an error here, at the attribute or
/// member that causes it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DocumentTypeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property of PST0015 and PST0016: the tag a single fix gives the member (one past the largest tag of the type).</summary>
    public const string NextTagProperty = "NextTag";

    /// <summary>
    /// Diagnostic property of PST0015 and PST0016: the tag Fix All gives the member, distinct for every reported member
    /// of the type, so that fixing several documents at once never hands out one tag twice.
    /// </summary>
    public const string FixAllTagProperty = "FixAllTag";

    private const int MaxTag = 65535;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [.. DiagnosticDescriptors.Problems.Values];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(Analyze, SymbolKind.NamedType);
    }

    private static void Analyze(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var problems = new List<Problem>();
        if (type.Has(AttributeNames.Collection))
        {
            problems.AddRange(TypeParser.Parse(type, DocumentKind.Collection, context.CancellationToken).Problems);
        }

        if (type.Has(AttributeNames.Embedded))
        {
            problems.AddRange(TypeParser.Parse(type, DocumentKind.Embedded, context.CancellationToken).Problems);
        }

        // A type that is both a collection and embedded is parsed twice; its declaration problems are found twice.
        var distinct = problems.Distinct().ToList();
        var maxTag = MaxTagOf(type);
        var renumbered = 0;
        foreach (var problem in distinct)
        {
            var properties = ImmutableDictionary<string, string?>.Empty;
            if (problem.Id is ProblemCatalog.DuplicateTag or ProblemCatalog.TagOutOfRange && maxTag < MaxTag)
            {
                properties = properties
                    .Add(NextTagProperty, (maxTag + 1).ToString(CultureInfo.InvariantCulture))
                    .Add(FixAllTagProperty, (maxTag + 1 + renumbered++).ToString(CultureInfo.InvariantCulture));
            }

            var location = ProblemLocations.ToLocation(problem.Location, context.Compilation);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.Problems[problem.Id], location, properties, [.. problem.Arguments]));
        }
    }

    /// <summary>The largest valid [Field] tag of the type and its base types (0 when none).</summary>
    private static int MaxTagOf(INamedTypeSymbol type)
    {
        var max = 0;
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member.Find(AttributeNames.Field)?.ConstructorArguments.FirstOrDefault().Value is int tag && tag is > 0 and <= MaxTag)
                {
                    max = System.Math.Max(max, tag);
                }
            }
        }

        return max;
    }
}
