using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Persistence.Generators.Parsing;

/// <summary>
/// Something wrong with a [Collection] or [Embedded] type, found by the parser. The generator only looks at
/// <see cref="Severity"/> (it emits nothing for a type with an error); the analyzers report problems as diagnostics
/// whose descriptors come from <see cref="ProblemCatalog"/>.
/// </summary>
/// <param name="Id">The stable id, for example "PST0001" (see PROBLEMS.md).</param>
/// <param name="Arguments">The message format's arguments.</param>
/// <param name="Location">Where to report it; null when the code is not in source.</param>
internal sealed record Problem(string Id, EquatableArray<string> Arguments, ProblemLocation? Location)
{
    public DiagnosticSeverity Severity => ProblemCatalog.Get(Id).Severity;

    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The message with its arguments filled in (invariant culture).</summary>
    public string Message => string.Format(System.Globalization.CultureInfo.InvariantCulture, ProblemCatalog.Get(Id).MessageFormat, Arguments.Cast<object>().ToArray());

    public static Problem Create(string id, Location? location, params string[] arguments)
    {
        if (arguments.Length != ProblemCatalog.Get(id).ArgumentCount)
        {
            throw new ArgumentException($"{id} takes {ProblemCatalog.Get(id).ArgumentCount} arguments.", nameof(arguments));
        }

        return new Problem(id, arguments.ToEquatableArray(), ProblemLocation.From(location));
    }
}
