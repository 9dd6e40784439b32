using Persistence.Serialization;
using static Persistence.Tests.Serialization.MessagePackTesting;

namespace Persistence.Tests.Serialization;

public sealed partial class MessagePackWriterTests
{
    [Theory]
    [InlineData(1, "d405")]
    [InlineData(2, "d505")]
    [InlineData(4, "d605")]
    [InlineData(8, "d705")]
    [InlineData(16, "d805")]
    [InlineData(0, "c70005")]
    [InlineData(3, "c70305")]
    [InlineData(17, "c71105")]
    [InlineData(255, "c7ff05")]
    [InlineData(256, "c8010005")]
    [InlineData(65535, "c8ffff05")]
    [InlineData(65536, "c90001000005")]
    public void Extension_headers_pick_fixext_or_ext(int length, string expectedHeader)
    {
        byte[] payload = Enumerable.Repeat((byte)0xab, length).ToArray();
        byte[] bytes = Pack((ref MessagePackWriter w) => w.WriteExtension(5, payload));
        Assert.Equal(FromHex(expectedHeader).Concat(payload), bytes);
    }

    [Fact]
    public void Negative_extension_types_are_written_as_a_signed_byte()
    {
        Assert.Equal("d480ff", PackHex((ref MessagePackWriter w) => w.WriteExtension(sbyte.MinValue, [0xff])));
    }

    [Theory]
    [InlineData(0L, 0u, "d6ff00000000")]
    [InlineData(4294967295L, 0u, "d6ffffffffff")]
    [InlineData(4294967296L, 0u, "d7ff0000000100000000")]
    [InlineData(1L, 1u, "d7ff0000000400000001")]
    [InlineData(17179869183L, 999999999u, "d7ffee6b27ffffffffff")]
    [InlineData(17179869184L, 0u, "c70cff000000000000000400000000")]
    [InlineData(-1L, 999999900u, "c70cff3b9ac99cffffffffffffffff")]
    [InlineData(-62135596800L, 0u, "c70cff00000000fffffff1886e0900")]
    [InlineData(253402300799L, 999999900u, "c70cff3b9ac99c0000003afff4417f")]
    public void Timestamps_use_the_32_64_or_96_bit_form_the_specification_chooses(long seconds, uint nanoseconds, string expected)
    {
        Assert.Equal(expected, PackHex((ref MessagePackWriter w) => w.WriteTimestamp(seconds, nanoseconds)));

        if (nanoseconds % 100 != 0)
        {
            return; // DateTime has 100 ns resolution
        }

        long ticks = DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100);
        var utc = new DateTime(ticks, DateTimeKind.Utc);
        Assert.Equal(expected, PackHex((ref MessagePackWriter w) => w.WriteTimestamp(utc)));
    }

    [Fact]
    public void Timestamp_kinds_unspecified_is_utc_and_local_is_converted()
    {
        var utc = new DateTime(2024, 2, 29, 13, 14, 15, DateTimeKind.Utc).AddTicks(1234567);
        string expected = PackHex((ref MessagePackWriter w) => w.WriteTimestamp(utc));
        Assert.Equal(expected, PackHex((ref MessagePackWriter w) => w.WriteTimestamp(DateTime.SpecifyKind(utc, DateTimeKind.Unspecified))));
        Assert.Equal(expected, PackHex((ref MessagePackWriter w) => w.WriteTimestamp(utc.ToLocalTime())));
        Assert.Equal("d7ff" + (((123456700UL << 34) | 1709212455UL).ToString("x16")), expected);
    }

    [Fact]
    public void Timestamp_nanoseconds_must_be_below_one_second()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pack((ref MessagePackWriter w) => w.WriteTimestamp(0, 1_000_000_000)));
    }

    [Fact]
    public void Guid_decimal_and_DateTimeOffset_conventions()
    {
        var guid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        Assert.Equal("c41000112233445566778899aabbccddeeff", PackHex((ref MessagePackWriter w) => w.Write(guid)));
        Assert.Equal("a52d312e3530", PackHex((ref MessagePackWriter w) => w.Write(-1.50m)));
        Assert.Equal("a52d302e3030", PackHex((ref MessagePackWriter w) => w.Write(decimal.Negate(0.00m)))); // "-0.00"
        Assert.Equal("a3302e30", PackHex((ref MessagePackWriter w) => w.Write(0.0m)));
        Assert.Equal(
            "bf" + Convert.ToHexStringLower("-0.0000000000000000000000000000"u8),
            PackHex((ref MessagePackWriter w) => w.Write(decimal.Negate(new decimal(0, 0, 0, false, 28)))));
        Assert.Equal(
            "bf2d37393232383136323531343236343333373539333534333935303333350".Length / 2,
            Pack((ref MessagePackWriter w) => w.Write(decimal.MinValue)).Length);

        var value = new DateTimeOffset(1970, 1, 1, 2, 0, 0, TimeSpan.FromHours(2));
        Assert.Equal("92" + "d6ff00000000" + "78", PackHex((ref MessagePackWriter w) => w.Write(value)));
        var negative = new DateTimeOffset(1970, 1, 1, 0, 0, 1, TimeSpan.FromMinutes(-30));
        Assert.Equal("92" + "d6ff00000709" + "e2", PackHex((ref MessagePackWriter w) => w.Write(negative)));
    }
}
