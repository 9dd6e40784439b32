namespace Persistence.Generators.Parsing.Model;

/// <summary>The primary key of a collection.</summary>
/// <param name="Members">The key members, in key order.</param>
/// <param name="CompositeName">For a key of several members, the generated record struct ("OrderKey"); null otherwise.</param>
/// <param name="TypeName">The key type the collection is generic over: the member's type, or the composite struct, <c>global::</c>-qualified.</param>
internal sealed record KeyModel(EquatableArray<string> Members, string? CompositeName, string TypeName)
{
    public bool IsComposite => CompositeName is not null;
}
