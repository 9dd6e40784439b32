using System.Globalization;
using Persistence.Serialization;

namespace Persistence.Collections;

/// <summary>
/// Primary keys written for messages, so that a reader can tell the parts apart and type them back: a string part in
/// double quotes (a quote or backslash inside escaped with a backslash), so that "a, b" is one part; a number, Guid or
/// Boolean as C# prints it in the invariant culture; a DateTime, DateTimeOffset, DateOnly or TimeOnly in round-trip
/// form ("O"), a TimeSpan in constant form ("c"), a floating-point number in round-trip form ("R"); bytes as 0x and
/// their hexadecimal digits; null as null. A key of one part is that part; a composite key is its parts in key order,
/// separated by ", " in parentheses.
/// </summary>
internal static class KeyDescription
{
    private const string Nullable = "Nullable";

    /// <summary>What <see cref="Read"/> returns for an encoding it does not read.</summary>
    private static readonly object Unread = new();

    /// <summary>
    /// The parts of an encoded key, each read by the name of its encoding in <paramref name="encodings"/> (as
    /// <see cref="DocumentSchema{T, TKey}.KeyEncodings"/> names them, or the earlier names of a key's encoding);
    /// null when <paramref name="encodings"/> is empty or names an encoding this does not read, or when the key is not
    /// one of those encodings: a part does not read, or bytes are left after the last (a key read that far is not the
    /// key it starts with).
    /// </summary>
    public static string? Parts(ReadOnlySpan<byte> key, IReadOnlyList<string> encodings)
    {
        if (encodings.Count == 0)
        {
            return null;
        }

        try
        {
            var reader = new KeyReader(key);
            var parts = new string[encodings.Count];
            for (var i = 0; i < parts.Length; i++)
            {
                var encoding = encodings[i];
                var nullable = encoding.StartsWith(Nullable, StringComparison.Ordinal);
                if (nullable && reader.ReadIsNull())
                {
                    parts[i] = Format(null);
                }
                else if (Read(ref reader, nullable ? encoding[Nullable.Length..] : encoding) is var part && !ReferenceEquals(part, Unread))
                {
                    parts[i] = Format(part);
                }
                else
                {
                    return null;
                }
            }

            return reader.End ? Join(parts) : null;
        }
        catch (PersistenceSerializationException)
        {
            return null; // not a key of those encodings
        }
    }

    /// <summary>A key of one part as that part; the parts of a composite key, in order, in parentheses.</summary>
    public static string Join(IReadOnlyList<string> parts) => parts.Count == 1 ? parts[0] : $"({string.Join(", ", parts)})";

    /// <summary>A key part's value, written as the type's remarks say (a value of another type as it prints itself).</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string text => Quote(text),
        char character => $"'{(character is '\'' or '\\' ? "\\" : "")}{character}'",
        bool boolean => boolean ? "true" : "false",
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("O", CultureInfo.InvariantCulture),
        TimeOnly time => time.ToString("O", CultureInfo.InvariantCulture),
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        float number => number.ToString("R", CultureInfo.InvariantCulture),
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A string part in double quotes, with each quote and backslash inside escaped by a backslash.</summary>
    public static string Quote(string text) => $"\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    /// <summary>
    /// Reads the part at the reader by the name of its encoding (without "Nullable"); <see cref="Unread"/> for a name
    /// this does not read. Names that share their bytes read as the widest type (an Int32 as "Int64", a Char as "UInt16").
    /// </summary>
    private static object Read(ref KeyReader reader, string encoding) => encoding switch
    {
        "Boolean" => reader.ReadBoolean(),
        "Byte" => reader.ReadByte(),
        "SByte" => reader.ReadSByte(),
        "Int16" => reader.ReadInt16(),
        "UInt16" => reader.ReadUInt16(),
        "Int64" => reader.ReadInt64(),
        "UInt64" => reader.ReadUInt64(),
        "Int128" => reader.ReadInt128(),
        "UInt128" => reader.ReadUInt128(),
        "Single" => reader.ReadSingle(),
        "Double" => reader.ReadDouble(),
        "Decimal" => reader.ReadDecimal(),
        "String" => reader.ReadString(),
        "Bytes" => reader.ReadBytes(),
        "Guid" => reader.ReadGuid(),
        "DateTime" or "DateTimeUtc" => reader.ReadDateTime(), // with its own Kind (earlier), or in UTC as stored
        "DateTimeOffset" => reader.ReadDateTimeOffset(),
        "DateTimeOffsetInstant" => reader.ReadDateTimeOffsetInstant(),
        "DateOnly" => reader.ReadDateOnly(),
        "TimeOnly" => reader.ReadTimeOnly(),
        "TimeSpan" => reader.ReadTimeSpan(),
        _ => Unread,
    };
}
