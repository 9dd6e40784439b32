using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Persistence.Analyzers.Tests.Infrastructure;
using Persistence.Generators.Parsing;

namespace Persistence.Analyzers.Tests;

/// <summary>The descriptor file against its sources of truth: the parser's catalog, the release files, the docs pages and the analyzers.</summary>
public sealed class DiagnosticDescriptorsTests
{
    private static readonly string s_repository = Path.GetFullPath(Path.Combine(SourceDirectory(), "..", ".."));

    [Fact]
    public void Problem_descriptors_agree_with_the_parser_catalog()
    {
        Assert.Equal(ProblemCatalog.Descriptors.Select(d => d.Id), DiagnosticDescriptors.Problems.Keys.Order(StringComparer.Ordinal));
        foreach (var problem in ProblemCatalog.Descriptors)
        {
            var descriptor = DiagnosticDescriptors.Problems[problem.Id];
            Assert.Equal(problem.Severity, descriptor.DefaultSeverity);
            Assert.Equal(problem.Title, descriptor.Title.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(problem.MessageFormat, descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Ids_are_consecutive_and_every_analyzer_supports_its_own()
    {
        var ids = DiagnosticDescriptors.All.Select(d => d.Id).ToList();
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => $"PST{i:D4}"), ids);
        var supported = AnalyzerHarness.Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Order(StringComparer.Ordinal);
        Assert.Equal(ids, supported);
    }

    [Fact]
    public void Every_rule_is_in_the_unshipped_release_with_its_category_and_severity()
    {
        var rows = File.ReadAllLines(Path.Combine(s_repository, "src", "Analyzers", "Persistence.Analyzers", "AnalyzerReleases.Unshipped.md"))
            .Where(l => l.StartsWith("PST", StringComparison.Ordinal))
            .Select(l => string.Join(" | ", l.Split('|', StringSplitOptions.TrimEntries).Take(3)))
            .ToList();
        Assert.Equal(DiagnosticDescriptors.All.Select(d => $"{d.Id} | {d.Category} | {d.DefaultSeverity}"), rows);
    }

    [Fact]
    public void Every_rule_has_a_docs_page_that_its_help_link_points_to()
    {
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            Assert.Equal($"https://github.com/persistence-dotnet/persistence/blob/main/docs/diagnostics/{descriptor.Id}.md", descriptor.HelpLinkUri);
            var page = Path.Combine(s_repository, "docs", "diagnostics", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{page} is missing");
            var text = File.ReadAllText(page);
            Assert.StartsWith($"# {descriptor.Id}: {descriptor.Title}", text, StringComparison.Ordinal);
            foreach (var section in new[] { "## What it means", "## Why", "## Example", "## How to fix", "## How to suppress" })
            {
                Assert.Contains(section, text, StringComparison.Ordinal);
            }

            Assert.Contains($"#pragma warning disable {descriptor.Id}", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_compilation_end_rule_is_tagged_as_such() =>
        Assert.Contains(WellKnownDiagnosticTags.CompilationEnd, DiagnosticDescriptors.DuplicateCollectionName.CustomTags);

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
