namespace Persistence.Benchmarks.Data;

/// <summary>
/// The SQL peers store <see cref="User.Tags"/> as one text column: the tags joined by commas (the generated words never
/// contain one).
/// </summary>
internal static class TagText
{
    public static string Join(List<string> tags) => string.Join(',', tags);

    public static List<string> Split(string text) => [.. text.Split(',')];
}
