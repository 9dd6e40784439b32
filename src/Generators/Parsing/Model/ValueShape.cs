namespace Persistence.Generators.Parsing.Model;

/// <summary>
/// The shape of a stored value: its kind, its C# type as the generated code spells it, whether null is a legal
/// value, and the shape of what it contains. Built from the type symbol by the parser; holds only strings, enums and
/// shapes, so it is equatable and cheap to compare.
/// </summary>
/// <param name="Kind">The kind of value.</param>
/// <param name="TypeName">
/// The type, <c>global::</c>-qualified, with the nullable annotations the generated code must use ("string?" for a
/// nullable or nullable-oblivious string, "global::System.Collections.Generic.IList&lt;int&gt;").
/// </param>
/// <param name="IsNullable">True when null is a legal value: Nullable&lt;T&gt;, or an annotated or oblivious reference type.</param>
/// <param name="Element">The underlying value of a Nullable or Enum, the element of an Array or List, the value of a Dictionary.</param>
/// <param name="Serializer">For Embedded: the generated serializer class, <c>global::</c>-qualified.</param>
internal sealed record ValueShape(ValueKind Kind, string TypeName, bool IsNullable, ValueShape? Element, string? Serializer)
{
    /// <summary>True for kinds whose values are references (null is representable even when not legal).</summary>
    public bool IsReference => Kind is ValueKind.String or ValueKind.Bytes or ValueKind.Array or ValueKind.List or ValueKind.Dictionary or ValueKind.Embedded;

    /// <summary>The value kind under Nullable (the kind itself otherwise).</summary>
    public ValueShape Underlying => Kind == ValueKind.Nullable ? Element! : this;
}
