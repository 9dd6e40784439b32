using Persistence.Serialization;
using static Persistence.Tests.Serialization.KeyTesting;

namespace Persistence.Tests.Serialization;

/// <summary>Pins the key layouts documented on <see cref="KeyWriter"/>, and the buffer and prefix helpers.</summary>
public sealed partial class KeyWriterTests
{
    [Fact]
    public void Integer_layouts()
    {
        Assert.Equal("00", EncodeHex((ref KeyWriter w) => w.WriteBoolean(false)));
        Assert.Equal("01", EncodeHex((ref KeyWriter w) => w.WriteBoolean(true)));
        Assert.Equal("fe", EncodeHex((ref KeyWriter w) => w.WriteBoolean(true, descending: true)));
        Assert.Equal("12", EncodeHex((ref KeyWriter w) => w.WriteByte(0x12)));
        Assert.Equal("7f", EncodeHex((ref KeyWriter w) => w.WriteSByte(-1)));
        Assert.Equal("00", EncodeHex((ref KeyWriter w) => w.WriteSByte(sbyte.MinValue)));
        Assert.Equal("7ffe", EncodeHex((ref KeyWriter w) => w.WriteInt16(-2)));
        Assert.Equal("1234", EncodeHex((ref KeyWriter w) => w.WriteUInt16(0x1234)));
        Assert.Equal("0041", EncodeHex((ref KeyWriter w) => w.WriteChar('A')));
        Assert.Equal("80", EncodeHex((ref KeyWriter w) => w.WriteInt32(0)));
        Assert.Equal("7f", EncodeHex((ref KeyWriter w) => w.WriteInt32(-1)));
        Assert.Equal("7b80000000", EncodeHex((ref KeyWriter w) => w.WriteInt32(int.MinValue)));
        Assert.Equal("7efe", EncodeHex((ref KeyWriter w) => w.WriteInt32(1, descending: true)));
        Assert.Equal("04deadbeef", EncodeHex((ref KeyWriter w) => w.WriteUInt32(0xdeadbeef)));
        Assert.Equal("8101", EncodeHex((ref KeyWriter w) => w.WriteInt64(1)));
        Assert.Equal("08ffffffffffffffff", EncodeHex((ref KeyWriter w) => w.WriteUInt64(ulong.MaxValue)));
        Assert.Equal("7f" + new string('f', 30), EncodeHex((ref KeyWriter w) => w.WriteInt128(-1)));
        Assert.Equal(new string('0', 30) + "01", EncodeHex((ref KeyWriter w) => w.WriteUInt128(1)));
    }

    [Fact]
    public void Variable_length_integer_layouts()
    {
        Assert.Equal("00", EncodeHex((ref KeyWriter w) => w.WriteUInt64(0)));
        Assert.Equal("01ff", EncodeHex((ref KeyWriter w) => w.WriteUInt64(255)));
        Assert.Equal("020100", EncodeHex((ref KeyWriter w) => w.WriteUInt32(256)));
        Assert.Equal("830f4240", EncodeHex((ref KeyWriter w) => w.WriteInt64(1_000_000)));
        Assert.Equal("7efe", EncodeHex((ref KeyWriter w) => w.WriteInt64(-2)));
        Assert.Equal("7e00", EncodeHex((ref KeyWriter w) => w.WriteInt64(-256)));
        Assert.Equal("7dfeff", EncodeHex((ref KeyWriter w) => w.WriteInt64(-257)));
        Assert.Equal("88" + "7fffffffffffffff", EncodeHex((ref KeyWriter w) => w.WriteInt64(long.MaxValue)));
        Assert.Equal("77" + "8000000000000000", EncodeHex((ref KeyWriter w) => w.WriteInt64(long.MinValue)));
        Assert.Equal("7cf0bdbf", EncodeHex((ref KeyWriter w) => w.WriteInt64(1_000_000, descending: true)));

        // An int and a long of equal value are the same key, so widening a key's type keeps the stored keys valid.
        foreach (var value in new[] { int.MinValue, -65537, -1, 0, 1, 300, int.MaxValue })
        {
            Assert.Equal(EncodeHex((ref KeyWriter w) => w.WriteInt64(value)), EncodeHex((ref KeyWriter w) => w.WriteInt32(value)));
        }
    }

    [Fact]
    public void Guid_date_and_time_layouts()
    {
        var guid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        Assert.Equal("00112233445566778899aabbccddeeff", EncodeHex((ref KeyWriter w) => w.WriteGuid(guid)));
        Assert.Equal("ffeeddccbbaa99887766554433221100", EncodeHex((ref KeyWriter w) => w.WriteGuid(guid, descending: true)));
        Assert.Equal("0000000000000001" + "01", EncodeHex((ref KeyWriter w) => w.WriteDateTime(new DateTime(1, DateTimeKind.Utc))));
        Assert.Equal("0000000000000001" + "02", EncodeHex((ref KeyWriter w) => w.WriteDateTime(new DateTime(1, DateTimeKind.Local))));
        Assert.Equal("0000000000000000" + "8000", EncodeHex((ref KeyWriter w) => w.WriteDateTimeOffset(DateTimeOffset.MinValue)));
        var minusOneHour = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.FromMinutes(-60));
        Assert.Equal(
            ((ulong)minusOneHour.UtcTicks).ToString("x16") + "7fc4",
            EncodeHex((ref KeyWriter w) => w.WriteDateTimeOffset(minusOneHour)));
        Assert.Equal( // the instant alone: the same bytes at any offset
            ((ulong)minusOneHour.UtcTicks).ToString("x16"),
            EncodeHex((ref KeyWriter w) => w.WriteDateTimeOffsetInstant(minusOneHour.ToOffset(TimeSpan.FromHours(5)))));
        Assert.Equal("7fffffffffffffff", EncodeHex((ref KeyWriter w) => w.WriteTimeSpan(TimeSpan.FromTicks(-1))));
    }

    [Fact]
    public void Floating_point_layouts()
    {
        Assert.Equal("8000000000000000", EncodeHex((ref KeyWriter w) => w.WriteDouble(0.0)));
        Assert.Equal("8000000000000000", EncodeHex((ref KeyWriter w) => w.WriteDouble(-0.0)));
        Assert.Equal("bff0000000000000", EncodeHex((ref KeyWriter w) => w.WriteDouble(1.0)));
        Assert.Equal("400fffffffffffff", EncodeHex((ref KeyWriter w) => w.WriteDouble(-1.0)));
        Assert.Equal("fff0000000000000", EncodeHex((ref KeyWriter w) => w.WriteDouble(double.PositiveInfinity)));
        Assert.Equal("000fffffffffffff", EncodeHex((ref KeyWriter w) => w.WriteDouble(double.NegativeInfinity)));
        Assert.Equal("0000000000000000", EncodeHex((ref KeyWriter w) => w.WriteDouble(double.NaN)));
        Assert.Equal("0000000000000000", EncodeHex((ref KeyWriter w) => w.WriteDouble(BitConverter.Int64BitsToDouble(0x7ff0_0000_0000_0001))));
        Assert.Equal("bf800000", EncodeHex((ref KeyWriter w) => w.WriteSingle(1.0f)));
        Assert.Equal("00000000", EncodeHex((ref KeyWriter w) => w.WriteSingle(-float.NaN)));
    }

    [Theory]
    [InlineData("0", "02")]
    [InlineData("-0", "02")]
    [InlineData("0.000", "02")]
    [InlineData("1", "038120")]
    [InlineData("1.00", "038120")]
    [InlineData("10", "038220")]
    [InlineData("12", "03822300")]
    [InlineData("123", "03832340")]
    [InlineData("0.5", "038060")]
    [InlineData("0.05", "037f60")]
    [InlineData("-1", "017edf")]
    [InlineData("-12", "017ddcff")]
    [InlineData("79228162514264337593543950335", "039d8a3392736253754486a4654a614460")]
    [InlineData("0.0000000000000000000000000001", "036520")]
    public void Decimal_layouts_are_normalized(string text, string expected)
    {
        decimal value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, EncodeHex((ref KeyWriter w) => w.WriteDecimal(value)));
    }

    [Fact]
    public void String_and_byte_layouts()
    {
        Assert.Equal("0001", EncodeHex((ref KeyWriter w) => w.WriteString("")));
        Assert.Equal("610001", EncodeHex((ref KeyWriter w) => w.WriteString("a")));
        Assert.Equal("6100ff620001", EncodeHex((ref KeyWriter w) => w.WriteString("a\0b")));
        Assert.Equal("c3a9" + "0001", EncodeHex((ref KeyWriter w) => w.WriteString("é")));
        Assert.Equal("e282ac" + "0001", EncodeHex((ref KeyWriter w) => w.WriteString("€")));
        Assert.Equal("eda0bd" + "edb880" + "0001", EncodeHex((ref KeyWriter w) => w.WriteString("\U0001F600")));
        Assert.Equal("eda080" + "0001", EncodeHex((ref KeyWriter w) => w.WriteString("\ud800")));
        Assert.Equal("9efffe", EncodeHex((ref KeyWriter w) => w.WriteString("a", descending: true)));
        Assert.Equal("61", EncodeHex((ref KeyWriter w) => w.WriteStringPrefix("a")));
        Assert.Equal("0001", EncodeHex((ref KeyWriter w) => w.WriteBytes([])));
        Assert.Equal("00ff0001", EncodeHex((ref KeyWriter w) => w.WriteBytes([0])));
        Assert.Equal("0100ff020001", EncodeHex((ref KeyWriter w) => w.WriteBytes([1, 0, 2])));
        Assert.Equal("0100ff", EncodeHex((ref KeyWriter w) => w.WriteBytesPrefix([1, 0])));
        Assert.Throws<ArgumentNullException>(() => Encode((ref KeyWriter w) => w.WriteString(null!)));
    }

    [Fact]
    public void A_null_byte_array_is_refused_and_nothing_is_written()
    {
        // A null array converts to an empty span: without the check it would be written as the empty array's "0001".
        Assert.Throws<PersistenceSerializationException>(() => Encode((ref KeyWriter w) => w.WriteBytes((byte[])null!)));
        Assert.Throws<PersistenceSerializationException>(() => Encode((ref KeyWriter w) => w.WriteBytes((byte[])null!, descending: true)));
        var writer = new KeyWriter(stackalloc byte[16]);
        writer.WriteInt32(0);
        try
        {
            writer.WriteBytes((byte[])null!);
        }
        catch (PersistenceSerializationException)
        {
        }

        Assert.Equal("80", Hex(writer.ToArray()));
        writer.Dispose();
        Assert.Equal("0001", EncodeHex((ref KeyWriter w) => w.WriteBytes(System.Array.Empty<byte>())));
    }

    [Fact]
    public void Nullable_layouts()
    {
        Assert.Equal("00", EncodeHex((ref KeyWriter w) => w.WriteNullableInt32(null)));
        Assert.Equal("018105", EncodeHex((ref KeyWriter w) => w.WriteNullableInt32(5)));
        Assert.Equal("ff", EncodeHex((ref KeyWriter w) => w.WriteNullableInt32(null, descending: true)));
        Assert.Equal("fe7efa", EncodeHex((ref KeyWriter w) => w.WriteNullableInt32(5, descending: true)));
        Assert.Equal("01610001", EncodeHex((ref KeyWriter w) => w.WriteNullableString("a")));
        Assert.Equal("00", EncodeHex((ref KeyWriter w) => w.WriteNullableBytes(null)));
        Assert.Equal("01" + "610001", EncodeHex((ref KeyWriter w) => { w.WriteNotNull(); w.WriteString("a"); }));
    }

    [Fact]
    public void Strings_that_are_prefixes_sort_first()
    {
        byte[] a = Encode((ref KeyWriter w) => w.WriteString("a"));
        byte[] aNul = Encode((ref KeyWriter w) => w.WriteString("a\0"));
        byte[] ab = Encode((ref KeyWriter w) => w.WriteString("ab"));
        Assert.True(CompareKeys(a, aNul) < 0 && CompareKeys(aNul, ab) < 0);
    }

    [Fact]
    public void The_buffer_grows_from_the_initial_span_into_pooled_arrays()
    {
        var writer = new KeyWriter(stackalloc byte[4]);
        for (int i = 0; i < 1000; i++)
        {
            writer.WriteInt32(0x10000 + i); // 4 bytes each: the length byte, then three
        }

        Assert.Equal(4000, writer.Length);
        var reader = new KeyReader(writer.WrittenSpan);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(0x10000 + i, reader.ReadInt32());
        }

        writer.Reset();
        writer.WriteString(new string('x', 5000));
        Assert.Equal(5002, writer.ToArray().Length);
        writer.Dispose();
        Assert.Equal(0, writer.Length);

        var unbuffered = new KeyWriter();
        unbuffered.WriteInt64(7);
        Assert.Equal("8107", Hex(unbuffered.ToArray()));
        unbuffered.Dispose();
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("ff", null)]
    [InlineData("ffff", null)]
    [InlineData("00", "01")]
    [InlineData("0102", "0103")]
    [InlineData("01ff", "02")]
    [InlineData("01feffff", "01ff")]
    public void Prefix_successor_is_the_smallest_key_above_the_prefix(string prefix, string? expected)
    {
        byte[] bytes = Convert.FromHexString(prefix);
        byte[]? successor = KeyWriter.PrefixSuccessor(bytes);
        Assert.Equal(expected, successor is null ? null : Hex(successor));

        var writer = new KeyWriter(stackalloc byte[2]);
        writer.WriteRaw(bytes);
        Assert.Equal(expected is not null, writer.TryConvertToPrefixSuccessor());
        Assert.Equal(expected ?? "", Hex(writer.ToArray()));
        writer.Dispose();
    }
}
