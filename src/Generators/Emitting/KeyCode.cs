using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// The KeyWriter and KeyReader calls for a key part. Enums are written as their underlying integer; nullable values
/// use the WriteNullable/ReadNullable forms, whose null marker sorts first.
/// </summary>
internal static class KeyCode
{
    /// <summary>A statement-expression writing <paramref name="value"/> with <paramref name="writer"/> ("w.WriteInt32(v)").</summary>
    /// <param name="asStored">
    /// True for index entries (and the values looked up in them and the query fields they serve): a DateTime is written
    /// as the stored document reads it back (MessagePackWriter.StoredDateTime, UTC), so that the entry computed from a
    /// document before it is written equals the one computed from the stored document; a DateTimeOffset is written as
    /// its instant alone (KeyWriter.WriteDateTimeOffsetInstant), so that entries, lookups and unique checks treat alike
    /// what DateTimeOffset.Equals calls equal (the same instant at any offset; the document keeps its offset). False for
    /// the primary key, which holds the Kind and the offset itself.
    /// </param>
    public static string Write(ValueShape shape, string writer, string value, bool asStored)
    {
        var underlying = shape.Underlying;
        var nullable = shape.IsNullable ? "Nullable" : "";
        if (asStored && underlying.Kind == ValueKind.DateTimeOffset)
        {
            return $"{writer}.Write{nullable}DateTimeOffsetInstant({value})";
        }

        if (underlying.Kind == ValueKind.Enum)
        {
            var integer = underlying.Element!;
            var cast = integer.TypeName + (shape.IsNullable ? "?" : "");
            return $"{writer}.Write{nullable}{Suffix(integer.Kind)}(({cast}){value})";
        }

        if (asStored && underlying.Kind == ValueKind.DateTime)
        {
            value = $"global::Persistence.Serialization.MessagePackWriter.StoredDateTime({value})";
        }

        return $"{writer}.Write{nullable}{Suffix(underlying.Kind)}({value})";
    }

    /// <summary>An expression reading the part with <paramref name="reader"/>, of the shape's type.</summary>
    public static string Read(ValueShape shape, string reader)
    {
        var underlying = shape.Underlying;
        var nullable = shape.IsNullable ? "Nullable" : "";
        if (underlying.Kind == ValueKind.Enum)
        {
            return $"({shape.TypeName}){reader}.Read{nullable}{Suffix(underlying.Element!.Kind)}()";
        }

        return $"{reader}.Read{nullable}{Suffix(underlying.Kind)}()";
    }

    /// <summary>
    /// True when reading the part back gives exactly the value written: false for floating-point parts (every NaN is
    /// one key, and -0.0 is +0.0) and decimal ones (1.50m reads back as 1.5m).
    /// </summary>
    public static bool IsExact(ValueShape shape) =>
        shape.Underlying.Kind is not (ValueKind.Single or ValueKind.Double or ValueKind.Decimal);

    /// <summary>
    /// A statement-expression reading past the part (no enum cast, which would not be a statement), written as
    /// <see cref="Write"/> writes it with <paramref name="asStored"/>.
    /// </summary>
    public static string Skip(ValueShape shape, string reader, bool asStored)
    {
        var underlying = shape.Underlying;
        var kind = underlying.Kind == ValueKind.Enum ? underlying.Element!.Kind : underlying.Kind;
        return $"{reader}.Read{(shape.IsNullable ? "Nullable" : "")}{Suffix(kind)}{(asStored && kind == ValueKind.DateTimeOffset ? "Instant" : "")}()";
    }

    /// <summary>
    /// The name of the part's key encoding, which the runtime records with each index and compares at open
    /// (IndexSchema.Encodings, DocumentSchema.KeyEncodings): the suffix of the KeyWriter method whose bytes the part
    /// is, "Nullable" first for a nullable part ("Int64", "NullableString"). Types whose KeyWriter methods write the
    /// same bytes share a name, so that changing a member between them does not rebuild its indexes: WriteInt32 writes
    /// the bytes of WriteInt64, WriteUInt32 those of WriteUInt64 and WriteChar those of WriteUInt16, and an enum is
    /// written as its underlying integer. Any other change of name rebuilds them, so a name must change whenever the
    /// bytes do (and may change when they do not, at the cost of one rebuild). A DateTimeOffset in an index
    /// (<paramref name="asStored"/>) is its instant alone, "DateTimeOffsetInstant".
    /// </summary>
    public static string Encoding(ValueShape shape, bool asStored)
    {
        var underlying = shape.Underlying;
        var kind = underlying.Kind == ValueKind.Enum ? underlying.Element!.Kind : underlying.Kind;
        var name = kind switch
        {
            ValueKind.Int32 => Suffix(ValueKind.Int64),
            ValueKind.UInt32 => Suffix(ValueKind.UInt64),
            ValueKind.Char => Suffix(ValueKind.UInt16),
            _ => Suffix(kind),
        };
        return (shape.IsNullable ? "Nullable" : "") + name + (asStored && kind == ValueKind.DateTimeOffset ? "Instant" : "");
    }

    private static string Suffix(ValueKind kind) => kind switch
    {
        ValueKind.Single => "Single",
        ValueKind.Bytes => "Bytes",
        _ => kind.ToString(),
    };
}
