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
}
