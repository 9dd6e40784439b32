using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// The KeyWriter and KeyReader calls for a key part. Enums are written as their underlying integer; nullable values
/// use the WriteNullable/ReadNullable forms, whose null marker sorts first.
/// </summary>
internal static class KeyCode
{
    /// <summary>
    /// A statement-expression writing <paramref name="value"/> with <paramref name="writer"/> ("w.WriteInt32(v)"), as
    /// every key holds it: primary keys and index entries alike, and the values looked up in them and the query bounds on
    /// them. A DateTime is written as the stored document reads it back (MessagePackWriter.StoredDateTime, UTC), so that
    /// the key computed from a document before it is written equals the one computed from the document read back, whatever
    /// its Kind. A DateTimeOffset is written as its instant alone (KeyWriter.WriteDateTimeOffsetInstant), so that keys
    /// treat alike what DateTimeOffset.Equals calls equal: the same instant at any offset is one key (the document keeps
    /// its offset).
    /// </summary>
    public static string Write(ValueShape shape, string writer, string value)
    {
        var underlying = shape.Underlying;
        var nullable = shape.IsNullable ? "Nullable" : "";
        if (underlying.Kind == ValueKind.DateTimeOffset)
        {
            return $"{writer}.Write{nullable}DateTimeOffsetInstant({value})";
        }

        if (underlying.Kind == ValueKind.Enum)
        {
            var integer = underlying.Element!;
            var cast = integer.TypeName + (shape.IsNullable ? "?" : "");
            return $"{writer}.Write{nullable}{Suffix(integer.Kind)}(({cast}){value})";
        }

        if (underlying.Kind == ValueKind.DateTime)
        {
            value = $"global::Persistence.Serialization.MessagePackWriter.StoredDateTime({value})";
        }

        return $"{writer}.Write{nullable}{Suffix(underlying.Kind)}({value})";
    }

    /// <summary>
    /// An expression reading the part with <paramref name="reader"/>, of the shape's type: as <see cref="Write"/> writes
    /// it (a DateTimeOffset as its instant, at offset zero), or with <paramref name="earlier"/> as primary keys held it
    /// before (<see cref="HasEarlierEncoding"/>).
    /// </summary>
    public static string Read(ValueShape shape, string reader, bool earlier = false)
    {
        var underlying = shape.Underlying;
        var nullable = shape.IsNullable ? "Nullable" : "";
        if (underlying.Kind == ValueKind.Enum)
        {
            return $"({shape.TypeName}){reader}.Read{nullable}{Suffix(underlying.Element!.Kind)}()";
        }

        return $"{reader}.Read{nullable}{Suffix(underlying.Kind)}{Instant(underlying.Kind, earlier)}()";
    }

    /// <summary>
    /// True when reading the part back from a key gives the value the stored document would hold, so that a document
    /// leaves the member out and reads it from its key: false for floating-point parts (every NaN is one key, and -0.0 is
    /// +0.0), decimal ones (1.50m reads back as 1.5m) and DateTimeOffset ones (the key holds the instant alone; the
    /// document holds the offset). A DateTime reads back in UTC, as the document holds it.
    /// </summary>
    public static bool IsExact(ValueShape shape) =>
        shape.Underlying.Kind is not (ValueKind.Single or ValueKind.Double or ValueKind.Decimal or ValueKind.DateTimeOffset);

    /// <summary>
    /// <see cref="IsExact"/> as it was under the earlier primary-key encoding (<see cref="HasEarlierEncoding"/>), which held
    /// a DateTimeOffset with its offset: documents stored then leave out a DateTimeOffset key member too.
    /// </summary>
    public static bool WasExact(ValueShape shape) =>
        shape.Underlying.Kind is not (ValueKind.Single or ValueKind.Double or ValueKind.Decimal);

    /// <summary>
    /// True for the parts a primary key held otherwise before it held them as <see cref="Write"/> does: a DateTime with
    /// its own Ticks and Kind (encoding "DateTime"), a DateTimeOffset with its offset ("DateTimeOffset"). A collection
    /// whose key has one moves documents stored under such keys once (DocumentSchema.DeserializeUnderEarlierKey).
    /// </summary>
    public static bool HasEarlierEncoding(ValueShape shape) => shape.Underlying.Kind is ValueKind.DateTime or ValueKind.DateTimeOffset;

    /// <summary>
    /// A statement-expression reading past the part (no enum cast, which would not be a statement), written as
    /// <see cref="Write"/> writes it, or with <paramref name="earlier"/> as <see cref="Read"/> reads it.
    /// </summary>
    public static string Skip(ValueShape shape, string reader, bool earlier = false)
    {
        var underlying = shape.Underlying;
        var kind = underlying.Kind == ValueKind.Enum ? underlying.Element!.Kind : underlying.Kind;
        return $"{reader}.Read{(shape.IsNullable ? "Nullable" : "")}{Suffix(kind)}{Instant(kind, earlier)}()";
    }

    /// <summary>
    /// The name of the part's key encoding, which the runtime records with each index and compares at open
    /// (IndexSchema.Encodings, DocumentSchema.KeyEncodings): the suffix of the KeyWriter method whose bytes the part
    /// is, "Nullable" first for a nullable part ("Int64", "NullableString"). Types whose KeyWriter methods write the
    /// same bytes share a name, so that changing a member between them does not rebuild its indexes: WriteInt32 writes
    /// the bytes of WriteInt64, WriteUInt32 those of WriteUInt64 and WriteChar those of WriteUInt16, and an enum is
    /// written as its underlying integer. Any other change of name rebuilds them, so a name must change whenever the
    /// bytes do (and may change when they do not, at the cost of one rebuild). A DateTimeOffset is its instant alone,
    /// "DateTimeOffsetInstant". A DateTime in an index is "DateTime", the name its entries kept when they came to be
    /// written as stored; in a primary key (<paramref name="primaryKey"/>) it is "DateTimeUtc", since the documents of
    /// a key recorded as "DateTime" are stored under their own Kind and must be moved (<see cref="HasEarlierEncoding"/>).
    /// </summary>
    public static string Encoding(ValueShape shape, bool primaryKey)
    {
        var underlying = shape.Underlying;
        var kind = underlying.Kind == ValueKind.Enum ? underlying.Element!.Kind : underlying.Kind;
        var name = kind switch
        {
            ValueKind.Int32 => Suffix(ValueKind.Int64),
            ValueKind.UInt32 => Suffix(ValueKind.UInt64),
            ValueKind.Char => Suffix(ValueKind.UInt16),
            ValueKind.DateTime when primaryKey => "DateTimeUtc",
            ValueKind.DateTimeOffset => "DateTimeOffsetInstant",
            _ => Suffix(kind),
        };
        return (shape.IsNullable ? "Nullable" : "") + name;
    }

    /// <summary>The suffix a DateTimeOffset's reader takes: "Instant", unless it reads an earlier primary key.</summary>
    private static string Instant(ValueKind kind, bool earlier) => kind == ValueKind.DateTimeOffset && !earlier ? "Instant" : "";

    private static string Suffix(ValueKind kind) => kind switch
    {
        ValueKind.Single => "Single",
        ValueKind.Bytes => "Bytes",
        _ => kind.ToString(),
    };
}
