using Persistence.Serialization;
using static Persistence.Tests.Serialization.MessagePackTesting;

namespace Persistence.Tests.Serialization;

public sealed partial class MessagePackReaderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(256)]
    [InlineData(70000)]
    public void Extensions_round_trip(int length)
    {
        byte[] payload = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        byte[] bytes = Pack((ref MessagePackWriter w) => w.WriteExtension(42, payload));
        var reader = new MessagePackReader(bytes);
        Assert.Equal(new ExtensionHeader(42, length), reader.ReadExtensionHeader());
        Assert.Equal(payload, reader.ReadRawSpan(length).ToArray());
        Assert.True(reader.End);
    }

    public static TheoryData<DateTime> Instants => new()
    {
        DateTime.UnixEpoch,
        DateTime.UnixEpoch.AddSeconds(uint.MaxValue),
        DateTime.UnixEpoch.AddSeconds(4294967296L),
        DateTime.UnixEpoch.AddTicks(1),
        DateTime.UnixEpoch.AddTicks(-1),
        DateTime.UnixEpoch.AddSeconds((1L << 34) - 1).AddTicks(9_999_999),
        DateTime.UnixEpoch.AddSeconds(1L << 34),
        new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1234567),
        new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        new DateTime(DateTime.MaxValue.Ticks, DateTimeKind.Utc),
    };

    [Theory]
    [MemberData(nameof(Instants))]
    public void Timestamps_round_trip_in_every_form(DateTime value)
    {
        DateTime read = Unpack(Pack((ref MessagePackWriter w) => w.WriteTimestamp(value)), (ref MessagePackReader r) => r.ReadTimestamp());
        Assert.Equal(value.Ticks, read.Ticks);
        Assert.Equal(DateTimeKind.Utc, read.Kind);
    }

    [Fact]
    public void Timestamp_nanoseconds_are_truncated_to_ticks()
    {
        DateTime read = Unpack("d7ff0000000400000001", (ref MessagePackReader r) => r.ReadTimestamp());
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(1), read);
        Assert.Equal(DateTime.UnixEpoch.AddTicks(9_999_999), Unpack("d7ffee6b27fc00000000", (ref MessagePackReader r) => r.ReadTimestamp()));
    }

    [Theory]
    [InlineData("d7ffee6b280000000000")] // 64-bit form, nanoseconds = 1e9
    [InlineData("c70cff3b9aca000000000000000000")] // 96-bit form, nanoseconds = 1e9
    [InlineData("c70cffffffffff0000000000000000")] // 96-bit form, nanoseconds = 2^32-1
    [InlineData("d6fe00000000")] // extension type -2
    [InlineData("d5ff0000")] // timestamp of 2 bytes
    [InlineData("c70cff000000000000003afff44180")] // one second after DateTime.MaxValue
    [InlineData("c70cff00000000fffffff1886e08ff")] // one second before DateTime.MinValue
    [InlineData("c70cff000000008000000000000000")] // long.MinValue seconds
    [InlineData("01")]
    public void Invalid_timestamps_throw(string hex)
    {
        AssertMalformed(hex, (ref MessagePackReader r) => r.ReadTimestamp());
    }

    [Fact]
    public void Guid_decimal_and_DateTimeOffset_round_trip()
    {
        var guid = Guid.NewGuid();
        Assert.Equal(guid, Unpack(Pack((ref MessagePackWriter w) => w.Write(guid)), (ref MessagePackReader r) => r.ReadGuid()));
        AssertMalformed("c40100", (ref MessagePackReader r) => r.ReadGuid());

        // decimal.Negate(0.00m) is a negative zero, which the invariant text form alone writes without its sign.
        decimal[] decimals = [0m, -0m, decimal.Negate(0m), decimal.Negate(0.00000m), decimal.Negate(new decimal(0, 0, 0, false, 28)),
            1.00m, -1.5m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m];
        foreach (decimal value in decimals)
        {
            decimal read = Unpack(Pack((ref MessagePackWriter w) => w.Write(value)), (ref MessagePackReader r) => r.ReadDecimal());
            Assert.Equal(decimal.GetBits(value), decimal.GetBits(read));
        }

        Assert.Equal(12m, Unpack("0c", (ref MessagePackReader r) => r.ReadDecimal()));
        Assert.Equal(ulong.MaxValue, Unpack("cfffffffffffffffff", (ref MessagePackReader r) => r.ReadDecimal()));
        AssertMalformed("a3312c35", (ref MessagePackReader r) => r.ReadDecimal());
        AssertMalformed("a3316533", (ref MessagePackReader r) => r.ReadDecimal());

        DateTimeOffset[] offsets = [DateTimeOffset.MinValue, DateTimeOffset.MaxValue,
            new(2001, 2, 3, 4, 5, 6, TimeSpan.FromMinutes(-14 * 60)), new(2001, 2, 3, 4, 5, 6, TimeSpan.FromMinutes(345))];
        foreach (DateTimeOffset value in offsets)
        {
            DateTimeOffset read = Unpack(Pack((ref MessagePackWriter w) => w.Write(value)), (ref MessagePackReader r) => r.ReadDateTimeOffset());
            Assert.Equal(value, read);
            Assert.Equal(value.Offset, read.Offset);
        }

        AssertMalformed("92d6ff00000000cd0349", (ref MessagePackReader r) => r.ReadDateTimeOffset()); // offset 841 minutes
        AssertMalformed("91d6ff00000000", (ref MessagePackReader r) => r.ReadDateTimeOffset());
        AssertMalformed("92c70cff00000000fffffff1886e0900ff", (ref MessagePackReader r) => r.ReadDateTimeOffset());
    }

    [Fact]
    public void DateOnly_and_TimeOnly_round_trip_as_integers_and_refuse_out_of_range_values()
    {
        foreach (var value in new[] { DateOnly.MinValue, new DateOnly(1970, 1, 1), new DateOnly(2026, 11, 24), DateOnly.MaxValue })
        {
            var bytes = Pack((ref MessagePackWriter w) => w.Write(value));
            Assert.Equal(value, Unpack(bytes, (ref MessagePackReader r) => r.ReadDateOnly()));
            Assert.Equal(value.DayNumber, Unpack(bytes, (ref MessagePackReader r) => r.ReadInt32()));
        }

        foreach (var value in new[] { TimeOnly.MinValue, new TimeOnly(1), new TimeOnly(23, 59, 59, 999), TimeOnly.MaxValue })
        {
            var bytes = Pack((ref MessagePackWriter w) => w.Write(value));
            Assert.Equal(value, Unpack(bytes, (ref MessagePackReader r) => r.ReadTimeOnly()));
            Assert.Equal(value.Ticks, Unpack(bytes, (ref MessagePackReader r) => r.ReadInt64()));
        }

        // A member changed from DateTime to DateOnly reads the stored timestamp's UTC date.
        Assert.Equal(new DateOnly(1970, 1, 1), Unpack("d6ff00000000", (ref MessagePackReader r) => r.ReadDateOnly()));
        Assert.Equal(new DateOnly(2001, 2, 3), Unpack(Pack((ref MessagePackWriter w) => w.WriteTimestamp(new DateTime(2001, 2, 3, 23, 59, 0, DateTimeKind.Utc))), (ref MessagePackReader r) => r.ReadDateOnly()));

        AssertMalformed("ce0037ba1b", (ref MessagePackReader r) => r.ReadDateOnly()); // day 3,652,059
        AssertMalformed("ff", (ref MessagePackReader r) => r.ReadDateOnly()); // day -1
        AssertMalformed("a131", (ref MessagePackReader r) => r.ReadDateOnly()); // a string
        AssertMalformed("cf000000c92a69c000", (ref MessagePackReader r) => r.ReadTimeOnly()); // a whole day of ticks
        AssertMalformed("ff", (ref MessagePackReader r) => r.ReadTimeOnly()); // -1 ticks
    }

    [Theory]
    [InlineData("92d6ff00000000d38000000000000000")] // long.MinValue minutes: Math.Abs of it overflowed
    [InlineData("92d6ff00000000d37fffffffffffffff")]
    [InlineData("92d6ff00000000cfffffffffffffffff")]
    public void A_DateTimeOffset_with_an_extreme_offset_throws_the_serialization_exception(string hex)
    {
        AssertMalformed(hex, (ref MessagePackReader r) => r.ReadDateTimeOffset());
    }
}
