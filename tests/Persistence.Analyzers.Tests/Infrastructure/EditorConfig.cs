using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Persistence.Analyzers.Tests.Infrastructure;

/// <summary>
/// An .editorconfig as the compiler applies it: the file is parsed by Roslyn's own <see cref="AnalyzerConfig"/>, its
/// severities reach the compilation through a <see cref="SyntaxTreeOptionsProvider"/> (which is how the compiler
/// filters analyzer diagnostics) and its options reach analyzers through an <see cref="AnalyzerConfigOptionsProvider"/>.
/// </summary>
internal sealed class EditorConfig
{
    private readonly AnalyzerConfigSet _set;

    public EditorConfig(string text)
    {
        _set = AnalyzerConfigSet.Create(ImmutableArray.Create(AnalyzerConfig.Parse(text, "/src/.editorconfig")));
    }

    public AnalyzerConfigOptionsResult For(SyntaxTree tree) => _set.GetOptionsForSourcePath(tree.FilePath);

    public Microsoft.CodeAnalysis.CSharp.CSharpCompilation Apply(Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation) =>
        compilation.WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(new TreeOptions(this)));

    public AnalyzerOptions AnalyzerOptions() => new([], new OptionsProvider(this));

    private sealed class TreeOptions(EditorConfig config) : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            config.For(tree).TreeOptions.TryGetValue(diagnosticId, out severity);

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
        {
            severity = ReportDiagnostic.Default;
            return false;
        }
    }

    private sealed class OptionsProvider(EditorConfig config) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(config.For(tree).AnalyzerOptions);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;
    }

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
