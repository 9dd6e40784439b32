using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Persistence.Analyzers.Declarations;
using Persistence.Analyzers.Queries;
using Persistence.Analyzers.Transactions;
using Persistence.Generators;

namespace Persistence.Analyzers.Tests.Infrastructure;

/// <summary>
/// Compiles test sources against the runtime, runs the generator (so user code can use generated collections, as in a
/// real build), then runs every analyzer with <see cref="CompilationWithAnalyzers"/>, and compares the PST
/// diagnostics with the ones marked in the sources: same ids on the same spans, no more, no fewer.
/// </summary>
internal static class AnalyzerHarness
{
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } =
    [
        new DocumentTypeAnalyzer(),
        new CollectionNameAnalyzer(),
        new WriteThroughReadTransactionAnalyzer(),
        new WriteBesideReadTransactionAnalyzer(),
        new UndisposedWriteTransactionAnalyzer(),
        new FullScanQueryAnalyzer(),
    ];

    public static CSharpCompilation Compile(IReadOnlyList<string> sources, CSharpCompilationOptions? options = null)
    {
        var trees = sources
            .Select((source, i) => CSharpSyntaxTree.ParseText(source, References.ParseOptions, References.SourcePath(i)))
            .Append(CSharpSyntaxTree.ParseText(References.GlobalUsings, References.ParseOptions, References.GlobalUsingsPath));
        return CSharpCompilation.Create("Persistence.Analyzers.Input", trees, References.All, options ?? References.CompilationOptions);
    }

    /// <summary>The compilation with the generator's output added, as the compiler sees it before analyzers run.</summary>
    public static Compilation WithGeneratedCode(Compilation compilation)
    {
        CSharpGeneratorDriver.Create([new PersistenceGenerator().AsSourceGenerator()], parseOptions: References.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.Empty(diagnostics);
        return output;
    }

    /// <summary>The analyzers' PST diagnostics, in source order; fails on any analyzer exception.</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Compilation compilation, AnalyzerOptions? options = null, ImmutableArray<DiagnosticAnalyzer>? analyzers = null)
    {
        var exceptions = new List<Exception>();
        var withAnalyzers = compilation.WithAnalyzers(
            analyzers ?? Analyzers,
            new CompilationWithAnalyzersOptions(
                options ?? new AnalyzerOptions([]),
                (exception, _, _) => { lock (exceptions) { exceptions.Add(exception); } },
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: false));
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None);
        Assert.Empty(exceptions);
        return [.. diagnostics
            .Where(d => d.Id.StartsWith("PST", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)];
    }

    public static Task VerifyAsync(string markup, string? defaultId = null) => VerifyAsync([markup], defaultId);

    /// <summary>
    /// Checks that the analyzers report exactly the diagnostics marked in <paramref name="markups"/> (one per source
    /// file), after the generator ran, and that the sources compile without errors.
    /// </summary>
    public static async Task VerifyAsync(string[] markups, string? defaultId = null, Func<CSharpCompilation, CSharpCompilation>? configure = null, AnalyzerOptions? options = null)
    {
        var parsed = markups.Select(m => Markup.Parse(m, defaultId)).ToList();
        var compilation = Compile([.. parsed.Select(p => p.Source)]);
        compilation = configure?.Invoke(compilation) ?? compilation;
        var generated = WithGeneratedCode(compilation);
        Assert.Empty(generated.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));

        var actual = (await DiagnosticsAsync(generated, options)).Select(Describe).ToList();
        var expected = parsed
            .SelectMany((p, i) => p.Expected.Select(e => Describe(References.SourcePath(i), e.Id, e.Span, p.Source)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected, actual.Select(a => a.Key).Order(StringComparer.Ordinal).ToList());
        Assert.All(actual, a => Assert.DoesNotContain("{", a.Message, StringComparison.Ordinal));
    }

    private static (string Key, string Message) Describe(Diagnostic diagnostic)
    {
        var tree = diagnostic.Location.SourceTree;
        Assert.NotNull(tree); // every diagnostic has a real source location
        var key = Describe(tree.FilePath, diagnostic.Id, diagnostic.Location.SourceSpan, tree.ToString());
        return (key, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Describe(string path, string id, Microsoft.CodeAnalysis.Text.TextSpan span, string source) =>
        $"{id} {Path.GetFileName(path)} {span} '{source.Substring(span.Start, span.Length)}'";
}
