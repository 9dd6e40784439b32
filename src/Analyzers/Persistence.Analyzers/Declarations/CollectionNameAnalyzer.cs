using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Persistence.Generators.Parsing;

namespace Persistence.Analyzers.Declarations;

/// <summary>
/// PST0025: two [Collection] types of one compilation with the same collection name would open the same keyspace and
/// read each other's documents. The check needs every type, so it runs at the end of the compilation and reports on
/// every attribute that uses the name.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CollectionNameAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.DuplicateCollectionName];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var declared = new ConcurrentBag<(string Name, INamedTypeSymbol Type, Location Location)>();
            start.RegisterSymbolAction(symbolContext =>
            {
                var type = (INamedTypeSymbol)symbolContext.Symbol;
                if (type.Find(AttributeNames.Collection) is { } attribute
                    && attribute.ConstructorArguments.FirstOrDefault().Value is string name
                    && TypeParser.IsValidCollectionName(name)
                    && attribute.ApplicationSyntaxReference is { } reference)
                {
                    declared.Add((name, type, reference.GetSyntax(symbolContext.CancellationToken).GetLocation()));
                }
            }, SymbolKind.NamedType);

            start.RegisterCompilationEndAction(endContext =>
            {
                foreach (var group in declared.GroupBy(d => d.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
                {
                    // Deterministic: the first other type by name is the one each message names.
                    var users = group.OrderBy(d => d.Type.ToDisplayString(), StringComparer.Ordinal).ToList();
                    foreach (var (name, type, location) in users)
                    {
                        var other = users.First(u => !SymbolEqualityComparer.Default.Equals(u.Type, type)).Type;
                        endContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateCollectionName, location, name, other.ToDisplayString()));
                    }
                }
            });
        });
    }
}
