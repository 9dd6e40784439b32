using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Persistence.Tests.Docs;

/// <summary>
/// The repository's documentation as the tests read it: files by their path from the repository root, and the rows of
/// a Markdown table under a heading, so that a test can hold a documented value against the code's.
/// </summary>
internal static partial class RepositoryDocs
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(SourceDirectory(), "..", "..", ".."));

    /// <summary>The text of <paramref name="relativePath"/>, a path from the repository root with '/' separators.</summary>
    public static string Read(string relativePath) =>
        File.ReadAllText(Path.Combine(Root, Path.Combine(relativePath.Split('/'))));

    /// <summary>
    /// The cells of each row of the first table after the heading <paramref name="heading"/> (a whole line, such as
    /// "### Configuration"), without the header row and its separator.
    /// </summary>
    public static IReadOnlyList<string[]> TableAfter(string text, string heading)
    {
        var lines = text.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var start = lines.IndexOf(heading);
        Assert.True(start >= 0, $"No heading '{heading}'.");
        var table = lines.Skip(start + 1).SkipWhile(line => !line.StartsWith('|')).TakeWhile(line => line.StartsWith('|')).ToList();
        Assert.True(table.Count > 2, $"No table after '{heading}'.");
        Assert.Matches(SeparatorRow(), table[1]);
        return [.. table.Skip(2).Select(Cells)];
    }

    private static string[] Cells(string row) => [.. row.Trim().Trim('|').Split('|').Select(cell => cell.Trim())];

    [GeneratedRegex(@"^\|(\s*:?-+:?\s*\|)+$")]
    private static partial Regex SeparatorRow();

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
