using Microsoft.CodeAnalysis;
using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests;

/// <summary>
/// Diagnostics sit on real source locations, so the usual ways to silence them work: #pragma, an .editorconfig
/// severity, and NoWarn (the compilation's specific diagnostic options). Each test checks one rule of each kind: a
/// declaration problem (PST0008) and a usage rule (PST0029).
/// </summary>
public sealed class SuppressionTests
{
    private const string Declaration = """[Collection("c")] public partial class T { [PrimaryKey] public int {|PST0008:Id|} { get; set; } }""";

    private const string Query = """
            public object Run() => users.Query().Where(u => {|PST0029:u.Name.Is("x")|}).ToList();
        """;

    [Fact]
    public Task Both_are_reported_when_nothing_suppresses_them() =>
        AnalyzerHarness.VerifyAsync([Documents.Code(Query), Documents.User, Declaration]);

    [Fact]
    public Task Pragma_warning_disable_suppresses_them() =>
        AnalyzerHarness.VerifyAsync(
        [
            Documents.Code("#pragma warning disable PST0029\n" + Query.Replace("{|PST0029:", "", StringComparison.Ordinal).Replace("|}", "", StringComparison.Ordinal) + "\n#pragma warning restore PST0029\n" + Query.Replace("Run()", "RunAgain()", StringComparison.Ordinal)),
            Documents.User,
            "#pragma warning disable PST0008\n" + Declaration.Replace("{|PST0008:Id|}", "Id", StringComparison.Ordinal),
        ]);

    [Fact]
    public Task An_editorconfig_severity_of_none_suppresses_them()
    {
        var config = new EditorConfig("""
            root = true

            [*.cs]
            dotnet_diagnostic.PST0008.severity = none
            dotnet_diagnostic.PST0029.severity = none
            """);
        return AnalyzerHarness.VerifyAsync([Documents.Code(Unmarked(Query)), Documents.User, Unmarked(Declaration)], configure: config.Apply, options: config.AnalyzerOptions());
    }

    [Fact]
    public Task An_editorconfig_severity_applies_only_to_the_files_it_matches()
    {
        var config = new EditorConfig("""
            root = true

            [Test2.cs]
            dotnet_diagnostic.PST0008.severity = none
            """);
        return AnalyzerHarness.VerifyAsync([Documents.Code(Query), Documents.User, Unmarked(Declaration), Declaration.Replace("class T", "class U", StringComparison.Ordinal).Replace("\"c\"", "\"d\"", StringComparison.Ordinal)], configure: config.Apply, options: config.AnalyzerOptions());
    }

    [Fact]
    public Task NoWarn_suppresses_them() =>
        AnalyzerHarness.VerifyAsync(
            [Documents.Code(Unmarked(Query)), Documents.User, Unmarked(Declaration)],
            configure: c => c.WithOptions(c.Options.WithSpecificDiagnosticOptions(
                new Dictionary<string, ReportDiagnostic> { ["PST0008"] = ReportDiagnostic.Suppress, ["PST0029"] = ReportDiagnostic.Suppress })));

    [Fact]
    public async Task Severity_can_be_raised_to_an_error()
    {
        var compilation = AnalyzerHarness.Compile([Documents.Code(Unmarked(Query)), Documents.User]);
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["PST0029"] = ReportDiagnostic.Error }));
        var diagnostic = Assert.Single(await AnalyzerHarness.DiagnosticsAsync(AnalyzerHarness.WithGeneratedCode(compilation)));
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
    }

    private static string Unmarked(string markup) => Markup.Parse(markup).Source;
}
