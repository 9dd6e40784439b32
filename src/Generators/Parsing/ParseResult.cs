using System.Linq;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Parsing;

/// <summary>What the parser made of one type: its model (null when it could not be built) and its problems.</summary>
internal sealed record ParseResult(TypeModel? Model, EquatableArray<Problem> Problems)
{
    public bool HasErrors => Problems.Any(p => p.IsError);

    /// <summary>The model when the generator may emit code for it: built, and without errors.</summary>
    public TypeModel? Emittable => HasErrors ? null : Model;
}
