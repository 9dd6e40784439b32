namespace Persistence.Generators.Parsing.Model;

/// <summary>
/// Everything the emitters need about one [Collection] or [Embedded] type. It holds only strings, enums, bools and
/// equatable arrays (no symbols, syntax or locations), so that the incremental pipeline can compare it with the
/// previous run's model and skip emitting when nothing that matters changed.
/// </summary>
/// <param name="Namespace">The namespace as C# spells it (a keyword segment with its '@'), or "" for the global namespace.</param>
/// <param name="ContainingTypes">The types it is nested in, outermost first.</param>
/// <param name="Name">The type name, without '@' (escape it where code names the type alone).</param>
/// <param name="FullName">The type, <c>global::</c>-qualified.</param>
/// <param name="Accessibility">The accessibility of the generated public types (the type's own declared accessibility).</param>
/// <param name="HelperAccessibility">The accessibility of the generated schema and serializer ("internal", or narrower for private nested types).</param>
/// <param name="Members">The stored members, base type members first, in declaration order.</param>
/// <param name="ConstructorParameters">The members passed to the constructor, in parameter order (empty: the parameterless constructor).</param>
/// <param name="Collection">The collection part; null for an embedded type.</param>
/// <param name="IsSealed">Sealed: no instance can be of a subclass, which the generated serializer refuses.</param>
internal sealed record TypeModel(
    string Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Name,
    string FullName,
    string Accessibility,
    string HelperAccessibility,
    EquatableArray<MemberModel> Members,
    EquatableArray<string> ConstructorParameters,
    CollectionModel? Collection,
    bool IsSealed)
{
    /// <summary>The generated serializer class of an embedded type, unqualified.</summary>
    public string SerializerName => Name + "Serializer";
}
