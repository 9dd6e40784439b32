using System.Linq;
using Microsoft.CodeAnalysis;
using Persistence.Generators.Parsing;

namespace Persistence.Analyzers.Declarations;

/// <summary>Turns the parser's plain-data locations back into source locations of the compilation.</summary>
internal static class ProblemLocations
{
    /// <summary>
    /// A location in the compilation's syntax tree of that path, so that #pragma, .editorconfig and suppressions
    /// apply to it; <see cref="Location.None"/> when the problem is not in source.
    /// </summary>
    public static Location ToLocation(ProblemLocation? location, Compilation compilation)
    {
        if (location is not { } found)
        {
            return Location.None;
        }

        var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == found.FilePath);
        return tree is null ? found.ToLocation() : Location.Create(tree, found.Span);
    }
}
