using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <summary>
/// Primary keys named in messages (<see cref="KeyDescription"/>): each part read by the name of its encoding, a string
/// part quoted so that "a, b" reads as one part; a key with bytes after its last part is named by its bytes alone, not as
/// the key it starts with.
/// </summary>
public sealed class KeyDescriptionTests
{
    /// <summary>
    /// A copy of user 2's document, undecodable, under user 2's key and a byte: the check names it by its bytes, where it
    /// named it "2", as if it were user 2 (whose own document decodes and is not reported).
    /// </summary>
    [Fact]
    public void A_key_with_bytes_after_its_last_part_is_named_by_its_bytes_alone()
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        users.Insert(new User { Id = 2, Email = "b@example.com", Age = 30 });
        byte[] key = [];
        db.Write(tx =>
        {
            var documents = tx.GetKeyspace("users");
            var stored = tx.Scan(documents).Select(e => (Key: e.Key.ToArray(), Value: e.Value.ToArray())).Single();
            key = [.. stored.Key, 0x00];
            tx.Put(documents, key, [.. stored.Value, 0xC0]); // a nil after the map: it does not decode
        });

        var problems = users.CheckConsistency();

        Assert.Contains(problems, p => p.StartsWith($"Document 0x{Convert.ToHexString(key)} of 'users' cannot be decoded", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.StartsWith("Document 2 ", StringComparison.Ordinal));
    }

    /// <summary>Writes a key's parts, for <see cref="Parts_are_read_by_the_name_of_their_encoding"/>.</summary>
    public delegate void WriteParts(ref KeyWriter writer);

    public static TheoryData<string, string[], WriteParts, string> Encodings => new()
    {
        { "string", ["String"], (ref KeyWriter w) => w.WriteString("a, b"), "\"a, b\"" },
        { "quotes and backslashes", ["String"], (ref KeyWriter w) => w.WriteString("say \"hi\" \\ bye"), "\"say \\\"hi\\\" \\\\ bye\"" },
        { "empty string", ["String"], (ref KeyWriter w) => w.WriteString(""), "\"\"" },
        { "null", ["NullableString"], (ref KeyWriter w) => w.WriteNullableString(null), "null" },
        { "nullable", ["NullableInt64"], (ref KeyWriter w) => w.WriteNullableInt64(-3), "-3" },
        { "int as Int64", ["Int64"], (ref KeyWriter w) => w.WriteInt32(int.MinValue), "-2147483648" },
        { "long", ["Int64"], (ref KeyWriter w) => w.WriteInt64(long.MaxValue), "9223372036854775807" },
        { "ulong", ["UInt64"], (ref KeyWriter w) => w.WriteUInt64(ulong.MaxValue), "18446744073709551615" },
        { "Int128", ["Int128"], (ref KeyWriter w) => w.WriteInt128(Int128.MinValue), "-170141183460469231731687303715884105728" },
        { "short, byte, sbyte", ["Int16", "Byte", "SByte"], (ref KeyWriter w) => { w.WriteInt16(-2); w.WriteByte(255); w.WriteSByte(-128); }, "(-2, 255, -128)" },
        { "bool", ["Boolean", "Boolean"], (ref KeyWriter w) => { w.WriteBoolean(true); w.WriteBoolean(false); }, "(true, false)" },
        { "double", ["Double"], (ref KeyWriter w) => w.WriteDouble(0.1), "0.1" },
        { "float", ["Single"], (ref KeyWriter w) => w.WriteSingle(-2.5f), "-2.5" },
        { "decimal", ["Decimal"], (ref KeyWriter w) => w.WriteDecimal(1.50m), "1.5" },
        { "bytes", ["Bytes"], (ref KeyWriter w) => w.WriteBytes([0x00, 0xAB]), "0x00AB" },
        { "Guid", ["Guid"], (ref KeyWriter w) => w.WriteGuid(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e")), "0f8fad5b-d9cb-469f-a165-70867728950e" },
        { "DateTime", ["DateTimeUtc"], (ref KeyWriter w) => w.WriteDateTime(new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc)), "2026-11-24T10:00:00.0000000Z" },
        { "DateTimeOffset", ["DateTimeOffsetInstant"], (ref KeyWriter w) => w.WriteDateTimeOffsetInstant(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.FromHours(2))), "2026-11-24T07:00:00.0000000+00:00" },
        { "date, time, span", ["DateOnly", "TimeOnly", "TimeSpan"], (ref KeyWriter w) => { w.WriteDateOnly(new DateOnly(2026, 2, 3)); w.WriteTimeOnly(new TimeOnly(4, 5, 6)); w.WriteTimeSpan(TimeSpan.FromMinutes(-90)); }, "(2026-02-03, 04:05:06.0000000, -01:30:00)" },
        { "composite", ["String", "Int64", "NullableString"], (ref KeyWriter w) => { w.WriteString("a, b"); w.WriteInt32(7); w.WriteNullableString(null); }, "(\"a, b\", 7, null)" },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Parts_are_read_by_the_name_of_their_encoding(string shape, string[] encodings, WriteParts write, string expected)
    {
        _ = shape; // names the case
        var writer = new KeyWriter(new byte[64]);
        write(ref writer);

        Assert.Equal(expected, KeyDescription.Parts(writer.WrittenSpan, encodings));
        Assert.Null(KeyDescription.Parts([.. writer.WrittenSpan, 0x00], encodings)); // a byte after the last part
        Assert.Null(KeyDescription.Parts(writer.WrittenSpan[..^1], encodings)); // cut short
        writer.Dispose();
    }

    [Fact]
    public void A_key_of_encodings_not_named_or_not_known_has_no_parts()
    {
        var writer = new KeyWriter(new byte[16]);
        writer.WriteInt64(1);

        Assert.Null(KeyDescription.Parts(writer.WrittenSpan, []));
        Assert.Null(KeyDescription.Parts(writer.WrittenSpan, ["Int64Someday"]));
        Assert.Equal("1", KeyDescription.Parts(writer.WrittenSpan, ["Int64"]));
        writer.Dispose();
    }

    [Fact]
    public void A_value_is_formatted_as_its_part_would_be()
    {
        Assert.Equal("\"a, b\"", KeyDescription.Format("a, b"));
        Assert.Equal("'x'", KeyDescription.Format('x'));
        Assert.Equal("'\\''", KeyDescription.Format('\''));
        Assert.Equal("Saturday", KeyDescription.Format(DayOfWeek.Saturday));
        Assert.Equal("null", KeyDescription.Format(null));
        Assert.Equal("1.5", KeyDescription.Format(1.5m));
        Assert.Equal("(\"a\", 1)", KeyDescription.Join([KeyDescription.Format("a"), KeyDescription.Format(1)]));
    }

    /// <summary>
    /// A key is described alike from its value (a duplicate Insert's message) and from its stored bytes (the check's
    /// report of a document that does not decode): a char part as a quoted char, escaped when not printable, where the
    /// composite key's parts printed it as its code unit; an enum part of a composite key as its number, since the parts
    /// are read by their encodings, which do not name the enum (a key of the enum alone by its member name); a
    /// DateTimeOffset as its instant in UTC and a DateTime as stored, in UTC, where a key's value printed its own offset
    /// or Kind and its stored bytes UTC.
    /// </summary>
    [Fact]
    public void A_key_reads_alike_from_its_value_and_from_its_stored_bytes()
    {
        using var db = Database.OpenInMemory();
        var at = new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.FromHours(2));
        var logged = new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Unspecified);

        AssertDescribed(db, "slots", ["UInt16", "Int64", "DateTimeOffsetInstant"],
            static (ref KeyWriter w, (char Row, DayOfWeek Day, DateTimeOffset At) k) => { w.WriteChar(k.Row); w.WriteInt32((int)k.Day); w.WriteDateTimeOffsetInstant(k.At); },
            static (ref KeyReader r) => (r.ReadChar(), (DayOfWeek)r.ReadInt32(), r.ReadDateTimeOffsetInstant()),
            ('x', DayOfWeek.Friday, at), "('x', 5, 2026-11-24T07:00:00.0000000+00:00)");
        AssertDescribed(db, "marks", ["NullableUInt16", "UInt16", "UInt16"],
            static (ref KeyWriter w, (char? Mark, char Quote, ushort Number) k) => { w.WriteNullableChar(k.Mark); w.WriteChar(k.Quote); w.WriteUInt16(k.Number); },
            static (ref KeyReader r) => (r.ReadNullableChar(), r.ReadChar(), r.ReadUInt16()),
            ('\u0007', '\'', (ushort)120), "('\\u0007', '\\'', 120)");
        AssertDescribed(db, "instants", ["DateTimeOffsetInstant"],
            static (ref KeyWriter w, DateTimeOffset k) => w.WriteDateTimeOffsetInstant(k), static (ref KeyReader r) => r.ReadDateTimeOffsetInstant(),
            at, "2026-11-24T07:00:00.0000000+00:00");
        AssertDescribed(db, "times", ["DateTimeUtc"],
            static (ref KeyWriter w, DateTime k) => w.WriteDateTime(MessagePackWriter.StoredDateTime(k)), static (ref KeyReader r) => r.ReadDateTime(),
            logged, "2026-11-24T10:00:00.0000000Z");
        AssertDescribed(db, "days", ["Int64"],
            static (ref KeyWriter w, DayOfWeek k) => w.WriteInt32((int)k), static (ref KeyReader r) => (DayOfWeek)r.ReadInt32(),
            DayOfWeek.Friday, "Friday");
        AssertDescribed(db, "letters", ["UInt16"],
            static (ref KeyWriter w, char k) => w.WriteChar(k), static (ref KeyReader r) => r.ReadChar(),
            '\u2028', "'\\u2028'");
    }

    private static void AssertDescribed<TKey>(Database db, string name, string[] encodings, KeyPartWriter<TKey> write, KeyPartReader<TKey> read,
        TKey key, string expected)
    {
        var collection = new KeyedCollection<TKey>(db, new KeyedSchema<TKey>(name, encodings, write, read));
        collection.Insert(new Keyed<TKey> { Key = key });

        var duplicate = Assert.Throws<DocumentException>(() => collection.Insert(new Keyed<TKey> { Key = key }));
        Assert.Contains($"key {expected} already exists", duplicate.Message, StringComparison.Ordinal);

        db.Write(tx =>
        {
            var documents = tx.GetKeyspace(name);
            var stored = tx.Scan(documents).Select(e => (Key: e.Key.ToArray(), Value: e.Value.ToArray())).Single();
            tx.Put(documents, stored.Key, [.. stored.Value, 0xC0]); // a nil after the map: it does not decode
        });
        Assert.Contains(collection.CheckConsistency(), p => p.StartsWith($"Document {expected} (0x", StringComparison.Ordinal));
    }
}
