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
    /// True for index entries (and the values looked up in them): a DateTime is written as the stored document reads it
    /// back (MessagePackWriter.StoredDateTime, UTC), so that the entry computed from a document before it is written
    /// equals the one computed from the stored document. False for the primary key, which holds the Kind itself.
    /// </param>
    public static string Write(ValueShape shape, string writer, string value, bool asStored)
    {
        var underlying = shape.Underlying;
        var nullable = shape.IsNullable ? "Nullable" : "";
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

    /// <summary>A statement-expression reading past the part (no enum cast, which would not be a statement).</summary>
    public static string Skip(ValueShape shape, string reader)
    {
        var underlying = shape.Underlying;
        var kind = underlying.Kind == ValueKind.Enum ? underlying.Element!.Kind : underlying.Kind;
        return $"{reader}.Read{(shape.IsNullable ? "Nullable" : "")}{Suffix(kind)}()";
    }

    private static string Suffix(ValueKind kind) => kind switch
    {
        ValueKind.Single => "Single",
        ValueKind.Bytes => "Bytes",
        _ => kind.ToString(),
    };
}
