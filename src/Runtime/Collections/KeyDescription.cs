using System.Globalization;
using Persistence.Serialization;

namespace Persistence.Collections;

/// <summary>
/// Primary keys written for messages, so that a reader can tell the parts apart and type them back: a string part in
/// double quotes (a quote or backslash inside escaped with a backslash), so that "a, b" is one part; a char in single
/// quotes, a quote or backslash escaped with a backslash and a character that does not print (a control, format,
/// separator other than the space, surrogate, private-use or unassigned one) as \u and its four hexadecimal digits; an
/// enum by its member name when the type is known (a key of the enum alone), else as its number (a part of a composite
/// key, read by an encoding that does not name the enum); a number, Guid or Boolean as C# prints it in the invariant
/// culture; a DateTime, DateTimeOffset, DateOnly or TimeOnly in round-trip form ("O"), as the key holds it: a key of
/// the current encodings holds a DateTime in UTC (printed ending in Z) and a DateTimeOffset's instant (at +00:00), and
/// a key's value is described as its encoding reads it back, so that it prints as its stored bytes do, not with its own
/// Kind or offset; a key of an earlier encoding holds the Kind or offset, and shows it; a TimeSpan in constant form ("c"), a floating-point number in round-trip form ("R"); bytes as 0x and
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
    /// <param name="key">The encoded key.</param>
    /// <param name="encodings">The name of each part's encoding.</param>
    /// <param name="charsAt">
    /// The offsets at which the key's char parts begin (<see cref="KeyWriter.RecordCharsAt"/>), when known: a "UInt16"
    /// part there is read as a char.
    /// </param>
    public static string? Parts(ReadOnlySpan<byte> key, IReadOnlyList<string> encodings, IReadOnlyCollection<int>? charsAt = null)
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
                else if (Read(ref reader, nullable ? encoding[Nullable.Length..] : encoding, charsAt) is var part && !ReferenceEquals(part, Unread))
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
        char character => Character(character),
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

    /// <summary>A char part in single quotes: a quote or backslash escaped by a backslash, one that does not print as \uXXXX.</summary>
    private static string Character(char character) => character switch
    {
        '\'' or '\\' => $"'\\{character}'",
        _ when Prints(character) => $"'{character}'",
        _ => string.Create(CultureInfo.InvariantCulture, $"'\\u{(int)character:X4}'"),
    };

    private static bool Prints(char character) => character == ' ' || CharUnicodeInfo.GetUnicodeCategory(character) is not
        (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);

    /// <summary>
    /// Reads the part at the reader by the name of its encoding (without "Nullable"); <see cref="Unread"/> for a name
    /// this does not read. Names that share their bytes read as the widest type (an Int32 as "Int64", an enum as its
    /// underlying integer), a "UInt16" as a char where <paramref name="charsAt"/> says a char begins.
    /// </summary>
    private static object Read(ref KeyReader reader, string encoding, IReadOnlyCollection<int>? charsAt) => encoding switch
    {
        "UInt16" when charsAt is not null && charsAt.Contains(reader.Position) => reader.ReadChar(),
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
