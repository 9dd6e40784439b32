namespace Persistence.Generators.Emitting;

/// <summary>State shared while emitting one method body: unique local names, and the nesting depth to pass on.</summary>
/// <param name="owner">The type being serialized, for error messages ("User").</param>
/// <param name="depth">The expression for the depth of embedded objects written from this method ("1", "depth + 1").</param>
internal sealed class EmitContext(string owner, string depth)
{
    private int _next;

    public string Owner { get; } = owner;

    public string Depth { get; } = depth;

    /// <summary>A local name not used before in this method ("item3").</summary>
    public string Local(string stem) => stem + Names.Invariant(++_next);

    /// <summary>A throw expression for a null where the member's type does not allow one.</summary>
    public string ThrowNull(string member, bool reading) =>
        "throw new global::Persistence.PersistenceSerializationException(" + Names.Literal(reading
            ? $"{Owner}.{member} is nil in the document, but its type is not nullable."
            : $"{Owner}.{member} is null, but its type is not nullable: it cannot be stored.") + ")";
}
