using Microsoft.CodeAnalysis.Text;

namespace Persistence.Analyzers.Tests.Infrastructure;

/// <summary>
/// Source with the expected diagnostics marked in it: <c>{|PST0001:text|}</c> expects PST0001 on exactly
/// <c>text</c>, and <c>[|text|]</c> expects the test's default id there. Spans may nest.
/// </summary>
internal sealed record Markup(string Source, IReadOnlyList<(string Id, TextSpan Span)> Expected)
{
    public static Markup Parse(string markup, string? defaultId = null)
    {
        var source = new System.Text.StringBuilder(markup.Length);
        var expected = new List<(string Id, TextSpan Span)>();
        var open = new Stack<(string? Id, int Start, char Close)>();
        for (var i = 0; i < markup.Length; i++)
        {
            if (At(markup, i, "{|") && markup.IndexOf(':', i) is var colon and > 0)
            {
                open.Push((markup[(i + 2)..colon], source.Length, '}'));
                i = colon;
            }
            else if (At(markup, i, "[|"))
            {
                open.Push((null, source.Length, ']'));
                i++;
            }
            else if (open.Count > 0 && At(markup, i, "|" + open.Peek().Close))
            {
                var (id, start, _) = open.Pop();
                id ??= defaultId ?? throw new ArgumentException("[|...|] needs a default diagnostic id.", nameof(defaultId));
                expected.Add((id, TextSpan.FromBounds(start, source.Length)));
                i++;
            }
            else
            {
                source.Append(markup[i]);
            }
        }

        Assert.True(open.Count == 0, "Unclosed markup span.");
        return new Markup(source.ToString(), expected);
    }

    private static bool At(string text, int index, string token) => string.CompareOrdinal(text, index, token, 0, token.Length) == 0;
}
