namespace Persistence.Generators.Parsing.Model;

/// <summary>What kind of value a member (or an element of a member) holds, as far as the encoders are concerned.</summary>
internal enum ValueKind
{
    Boolean,
    SByte,
    Byte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Decimal,
    Char,
    String,
    Guid,
    DateTime,
    DateTimeOffset,
    TimeSpan,

    /// <summary>DateOnly: its day number in documents and keys.</summary>
    DateOnly,

    /// <summary>TimeOnly: its ticks since midnight in documents and keys.</summary>
    TimeOnly,

    /// <summary>byte[]: MessagePack bin in documents, escaped bytes in keys.</summary>
    Bytes,

    /// <summary>An enum, stored as its underlying integer (<see cref="ValueShape.Element"/>).</summary>
    Enum,

    /// <summary>Nullable&lt;T&gt; of a value kind (<see cref="ValueShape.Element"/>).</summary>
    Nullable,

    /// <summary>T[] of <see cref="ValueShape.Element"/>.</summary>
    Array,

    /// <summary>List&lt;T&gt;, IList&lt;T&gt; or IReadOnlyList&lt;T&gt;, read back as a List&lt;T&gt;.</summary>
    List,

    /// <summary>Dictionary&lt;string, T&gt; or IReadOnlyDictionary&lt;string, T&gt;, read back as a Dictionary.</summary>
    Dictionary,

    /// <summary>An [Embedded] type, written by its own generated serializer (<see cref="ValueShape.Serializer"/>).</summary>
    Embedded,
}
