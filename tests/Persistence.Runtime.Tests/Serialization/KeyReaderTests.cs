using Persistence.Serialization;
using static Persistence.Tests.Serialization.KeyTesting;

namespace Persistence.Tests.Serialization;

/// <summary>Decoding: nullable round trips, truncation, and rejection of encodings the writer never produces.</summary>
public sealed class KeyReaderTests
{
    private static readonly DateTimeOffset Plus2 = new(2026, 11, 24, 9, 30, 0, TimeSpan.FromHours(2));

    [Fact]
    public void Nullable_parts_round_trip_in_both_directions()
    {
        foreach (bool d in new[] { false, true })
        {
            byte[] key = Encode((ref KeyWriter w) =>
            {
                w.WriteNullableBoolean(true, d); w.WriteNullableByte(null, d); w.WriteNullableSByte(-3, d);
                w.WriteNullableInt16(null, d); w.WriteNullableUInt16(7, d); w.WriteNullableChar('x', d);
                w.WriteNullableInt32(null, d); w.WriteNullableUInt32(9, d); w.WriteNullableInt64(-10, d);
                w.WriteNullableUInt64(null, d); w.WriteNullableInt128(-11, d); w.WriteNullableUInt128(null, d);
                w.WriteNullableGuid(Guid.AllBitsSet, d); w.WriteNullableDateTime(null, d);
                w.WriteNullableDateTimeOffset(DateTimeOffset.UnixEpoch, d); w.WriteNullableTimeSpan(TimeSpan.FromDays(-1), d);
                w.WriteNullableDouble(null, d); w.WriteNullableSingle(2.5f, d); w.WriteNullableDecimal(1.50m, d);
                w.WriteNullableString(null, d); w.WriteNullableString("", d); w.WriteNullableBytes([0, 1], d);
                w.WriteNullableBytes(null, d); w.WriteNullableDateTimeOffsetInstant(Plus2, d); w.WriteNullableDateTimeOffsetInstant(null, d);
            });
            var r = new KeyReader(key);
            Assert.True(r.ReadNullableBoolean(d)); Assert.Null(r.ReadNullableByte(d)); Assert.Equal((sbyte)-3, r.ReadNullableSByte(d));
            Assert.Null(r.ReadNullableInt16(d)); Assert.Equal((ushort)7, r.ReadNullableUInt16(d)); Assert.Equal('x', r.ReadNullableChar(d));
            Assert.Null(r.ReadNullableInt32(d)); Assert.Equal(9u, r.ReadNullableUInt32(d)); Assert.Equal(-10L, r.ReadNullableInt64(d));
            Assert.Null(r.ReadNullableUInt64(d)); Assert.Equal((Int128)(-11), r.ReadNullableInt128(d)); Assert.Null(r.ReadNullableUInt128(d));
            Assert.Equal(Guid.AllBitsSet, r.ReadNullableGuid(d)); Assert.Null(r.ReadNullableDateTime(d));
            Assert.Equal(DateTimeOffset.UnixEpoch, r.ReadNullableDateTimeOffset(d)); Assert.Equal(TimeSpan.FromDays(-1), r.ReadNullableTimeSpan(d));
            Assert.Null(r.ReadNullableDouble(d)); Assert.Equal(2.5f, r.ReadNullableSingle(d)); Assert.Equal(1.5m, r.ReadNullableDecimal(d));
            Assert.Null(r.ReadNullableString(d)); Assert.Equal("", r.ReadNullableString(d)); Assert.Equal([0, 1], r.ReadNullableBytes(d));
            Assert.Null(r.ReadNullableBytes(d));
            var instant = r.ReadNullableDateTimeOffsetInstant(d); // the instant comes back at offset zero
            Assert.Equal(Plus2, instant);
            Assert.Equal(TimeSpan.Zero, instant!.Value.Offset);
            Assert.Null(r.ReadNullableDateTimeOffsetInstant(d));
            Assert.True(r.End);
        }
    }

    [Fact]
    public void Decimals_read_back_normalized()
    {
        Assert.Equal("1", Decode(Encode((ref KeyWriter w) => w.WriteDecimal(1.000m)), (ref KeyReader r) => r.ReadDecimal()).ToString());
        Assert.Equal("0.5", Decode(Encode((ref KeyWriter w) => w.WriteDecimal(0.50m)), (ref KeyReader r) => r.ReadDecimal()).ToString());
        Assert.Equal("100", Decode(Encode((ref KeyWriter w) => w.WriteDecimal(100.00m)), (ref KeyReader r) => r.ReadDecimal()).ToString());
        Assert.Equal("0", Decode(Encode((ref KeyWriter w) => w.WriteDecimal(-0.0m)), (ref KeyReader r) => r.ReadDecimal()).ToString());
    }

    [Fact]
    public void Every_truncation_of_every_part_throws()
    {
        var writers = new KeyWrite[]
        {
            (ref KeyWriter w) => w.WriteInt32(5), (ref KeyWriter w) => w.WriteGuid(Guid.NewGuid(), true),
            (ref KeyWriter w) => w.WriteDateTime(DateTime.UtcNow), (ref KeyWriter w) => w.WriteDateTimeOffset(DateTimeOffset.UnixEpoch),
            (ref KeyWriter w) => w.WriteDecimal(-123.456m), (ref KeyWriter w) => w.WriteDecimal(12m, true),
            (ref KeyWriter w) => w.WriteString("a\0é€\U0001F600"), (ref KeyWriter w) => w.WriteString("a\0é€", true),
            (ref KeyWriter w) => w.WriteBytes([1, 0, 2]), (ref KeyWriter w) => w.WriteNullableInt64(3),
        };
        var readers = new KeyRead<object?>[]
        {
            (ref KeyReader r) => r.ReadInt32(), (ref KeyReader r) => r.ReadGuid(true), (ref KeyReader r) => r.ReadDateTime(),
            (ref KeyReader r) => r.ReadDateTimeOffset(), (ref KeyReader r) => r.ReadDecimal(), (ref KeyReader r) => r.ReadDecimal(true),
            (ref KeyReader r) => r.ReadString(), (ref KeyReader r) => r.ReadString(true), (ref KeyReader r) => r.ReadBytes(),
            (ref KeyReader r) => r.ReadNullableInt64(),
        };
        for (int i = 0; i < writers.Length; i++)
        {
            byte[] key = Encode(writers[i]);
            Decode(key, readers[i]);
            for (int cut = 0; cut < key.Length; cut++)
            {
                AssertMalformed(key[..cut], readers[i]);
            }
        }
    }

    [Theory]
    [InlineData("02", "Boolean")]
    [InlineData("02", "Nullable")]
    [InlineData("610002", "String")] // 0x00 followed by neither 0x01 nor 0xFF
    [InlineData("800001", "String")] // continuation byte as a lead byte
    [InlineData("c0800001", "String")] // overlong 2-byte sequence
    [InlineData("e080800001", "String")] // overlong 3-byte sequence
    [InlineData("c3410001", "String")] // missing continuation byte
    [InlineData("f09f98800001", "String")] // 4-byte UTF-8: never produced, CESU-8 uses two 3-byte surrogates
    [InlineData("0102", "Bytes")]
    [InlineData("04", "Decimal")] // unknown class byte
    [InlineData("0381b0", "Decimal")] // digit nibble 11
    [InlineData("038110", "Decimal")] // leading zero digit
    [InlineData("03812100", "Decimal")] // trailing zero digit
    [InlineData("038100", "Decimal")] // no digits
    [InlineData("03ff20", "Decimal")] // exponent beyond the decimal range
    [InlineData("034020", "Decimal")] // exponent below the decimal range
    [InlineData("fff8000000000000", "Double")] // a NaN other than the canonical key
    [InlineData("7fffffffffffffff", "Double")] // negative zero
    [InlineData("2bca2875f4374000" + "00", "DateTime")] // ticks beyond DateTime.MaxValue
    [InlineData("0000000000000000" + "03", "DateTime")] // kind 3
    [InlineData("0000000000000000" + "834a", "DateTimeOffset")] // offset 842 minutes
    [InlineData("0000000000000000" + "7fff", "DateTimeOffset")] // local time before DateTime.MinValue
    [InlineData("2bca2875f4374000", "DateTimeOffsetInstant")] // UTC ticks beyond DateTime.MaxValue
    [InlineData("8337ba1b", "DateOnly")] // day number 3,652,059: after DateOnly.MaxValue
    [InlineData("7f", "DateOnly")] // day number -1
    [InlineData("85c92a69c000", "TimeOnly")] // 864,000,000,000 ticks: a whole day
    [InlineData("7f", "TimeOnly")] // -1 ticks
    public void Invalid_encodings_throw(string hex, string part)
    {
        KeyRead<object?> read = part switch
        {
            "Boolean" => (ref KeyReader r) => r.ReadBoolean(),
            "Nullable" => (ref KeyReader r) => r.ReadNullableInt32(),
            "String" => (ref KeyReader r) => r.ReadString(),
            "Bytes" => (ref KeyReader r) => r.ReadBytes(),
            "Decimal" => (ref KeyReader r) => r.ReadDecimal(),
            "Double" => (ref KeyReader r) => r.ReadDouble(),
            "DateTime" => (ref KeyReader r) => r.ReadDateTime(),
            "DateOnly" => (ref KeyReader r) => r.ReadDateOnly(),
            "TimeOnly" => (ref KeyReader r) => r.ReadTimeOnly(),
            "DateTimeOffsetInstant" => (ref KeyReader r) => r.ReadDateTimeOffsetInstant(),
            _ => (ref KeyReader r) => r.ReadDateTimeOffset(),
        };
        AssertMalformed(Convert.FromHexString(hex), read);
    }

    [Fact]
    public void Too_many_decimal_digits_throw()
    {
        byte[] key = [0x03, 0x9d, .. Enumerable.Repeat((byte)0x22, 15), 0x00]; // 30 digits
        AssertMalformed(key, (ref KeyReader r) => r.ReadDecimal());
    }

    [Fact]
    public void Messages_locate_the_failure()
    {
        var exception = AssertMalformed([0x81, 0x01, 0x61, 0x00, 0x07], (ref KeyReader r) => { r.ReadInt32(); return r.ReadString(); });
        Assert.Equal("Expected a valid String key part at byte offset 4 but found 0x07 after 0x00 instead of 0x01 or 0xFF.", exception.Message);
        exception = AssertMalformed([0x83, 0x00], (ref KeyReader r) => r.ReadInt32());
        Assert.Equal("Expected 3 bytes of a Int32 key part at byte offset 1 but found only 1 remaining.", exception.Message);
    }

    [Fact]
    public void Variable_length_integers_that_are_not_canonical_or_out_of_range_are_refused()
    {
        // Each value has exactly one key: a longer form would compare unequal to the canonical one.
        Assert.Contains("more bytes than it needs", AssertMalformed([0x82, 0x00, 0x05], (ref KeyReader r) => r.ReadInt64()).Message, StringComparison.Ordinal);
        Assert.Contains("more bytes than it needs", AssertMalformed([0x7d, 0xff, 0xfe], (ref KeyReader r) => r.ReadInt64()).Message, StringComparison.Ordinal);
        Assert.Contains("more bytes than it needs", AssertMalformed([0x01, 0x00], (ref KeyReader r) => r.ReadUInt64()).Message, StringComparison.Ordinal);
        Assert.Contains("length byte 0x89", AssertMalformed([0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9], (ref KeyReader r) => r.ReadInt64()).Message, StringComparison.Ordinal);
        Assert.Contains("length byte 0x09", AssertMalformed([0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9], (ref KeyReader r) => r.ReadUInt64()).Message, StringComparison.Ordinal);
        Assert.Contains("beyond the range of Int32", AssertMalformed([0x84, 0x80, 0x00, 0x00, 0x00], (ref KeyReader r) => r.ReadInt32()).Message, StringComparison.Ordinal);
        Assert.Contains("beyond UInt32.MaxValue", AssertMalformed([0x05, 0x01, 0x00, 0x00, 0x00, 0x00], (ref KeyReader r) => r.ReadUInt32()).Message, StringComparison.Ordinal);

        var reader = new KeyReader([0x84, 0x7f, 0xff, 0xff, 0xff, 0x7b, 0x80, 0x00, 0x00, 0x00]);
        Assert.Equal(int.MaxValue, reader.ReadInt32());
        Assert.Equal(int.MinValue, reader.ReadInt32());
    }
}
