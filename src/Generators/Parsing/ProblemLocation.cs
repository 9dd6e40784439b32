using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Persistence.Generators.Parsing;

/// <summary>
/// Where a problem is, as plain data: a <see cref="Location"/> holds its syntax tree, which must not survive into
/// the incremental pipeline's models. An analyzer turns it back into a location with <see cref="ToLocation"/>.
/// </summary>
internal readonly record struct ProblemLocation(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static ProblemLocation? From(Location? location)
    {
        if (location is null || !location.IsInSource)
        {
            return null;
        }

        var lines = location.GetLineSpan();
        return new ProblemLocation(lines.Path ?? "", location.SourceSpan, lines.Span);
    }

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}
