using Persistence.Serialization;
using static Persistence.Tests.Serialization.MessagePackTesting;

namespace Persistence.Tests.Serialization;

/// <summary>Round trips and the reader's acceptance rules.</summary>
public sealed partial class MessagePackReaderTests
{
    public static TheoryData<long> Int64Boundaries => new()
    {
        0, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, int.MaxValue, 2147483648L, uint.MaxValue, 4294967296L,
        long.MaxValue, -1, -32, -33, -128, -129, -32768, -32769, int.MinValue, -2147483649L, long.MinValue,
    };

    [Theory]
    [InlineData("")]
    [InlineData("plain ascii, long enough for the vectorized widening to take several steps")]
    [InlineData("é at the start")]
    [InlineData("at the end: é")]
    [InlineData("in the middle of a long run of ascii characters → before more ascii characters follow it")]
    [InlineData("\uFFFF starts with the char that marks a failed ascii widening")]
    [InlineData("\uFFFF")]
    [InlineData("emoji 😀 and ascii")]
    [InlineData("a long ascii run, longer than the one-pass widening takes on trust: 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789")]
    [InlineData("a long run that ends in a non-ascii character, past the one-pass length: 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 é")]
    public void Strings_round_trip_wherever_their_non_ascii_characters_are(string value)
    {
        var packed = Pack((ref MessagePackWriter w) => w.WriteString(value));
        Assert.Equal(value, Unpack(packed, (ref MessagePackReader r) => r.ReadString()));
        Assert.Equal(value, Unpack(packed, (ref MessagePackReader r) => r.ReadNullableString()));
    }

    [Theory]
    [MemberData(nameof(Int64Boundaries))]
    public void Integers_round_trip_through_every_type_that_holds_them(long value)
    {
        byte[] bytes = Pack((ref MessagePackWriter w) => w.Write(value));
        Assert.Equal(value, Unpack(bytes, (ref MessagePackReader r) => r.ReadInt64()));
        AssertReadsIfFits(bytes, value, sbyte.MinValue, sbyte.MaxValue, (ref MessagePackReader r) => r.ReadSByte());
        AssertReadsIfFits(bytes, value, short.MinValue, short.MaxValue, (ref MessagePackReader r) => r.ReadInt16());
        AssertReadsIfFits(bytes, value, int.MinValue, int.MaxValue, (ref MessagePackReader r) => r.ReadInt32());
        AssertReadsIfFits(bytes, value, byte.MinValue, byte.MaxValue, (ref MessagePackReader r) => r.ReadByte());
        AssertReadsIfFits(bytes, value, ushort.MinValue, ushort.MaxValue, (ref MessagePackReader r) => r.ReadUInt16());
        AssertReadsIfFits(bytes, value, uint.MinValue, uint.MaxValue, (ref MessagePackReader r) => r.ReadUInt32());
        AssertReadsIfFits(bytes, value, 0, long.MaxValue, (ref MessagePackReader r) => (long)r.ReadUInt64());
    }

    [Fact]
    public void UInt64_above_Int64_range_reads_only_as_UInt64()
    {
        byte[] bytes = Pack((ref MessagePackWriter w) => w.Write(ulong.MaxValue));
        Assert.Equal(ulong.MaxValue, Unpack(bytes, (ref MessagePackReader r) => r.ReadUInt64()));
        var exception = AssertMalformed(bytes, (ref MessagePackReader r) => r.ReadInt64());
        Assert.Contains("18446744073709551615", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("d30000000000000005")]
    [InlineData("cf0000000000000005")]
    [InlineData("d200000005")]
    [InlineData("ce00000005")]
    [InlineData("d10005")]
    [InlineData("cd0005")]
    [InlineData("d005")]
    [InlineData("cc05")]
    [InlineData("05")]
    public void Any_integer_encoding_of_a_value_is_accepted(string hex)
    {
        Assert.Equal(5, Unpack(hex, (ref MessagePackReader r) => r.ReadByte()));
        Assert.Equal(5, Unpack(hex, (ref MessagePackReader r) => r.ReadSByte()));
        Assert.Equal(5.0, Unpack(hex, (ref MessagePackReader r) => r.ReadDouble()));
        Assert.Equal(5.0f, Unpack(hex, (ref MessagePackReader r) => r.ReadSingle()));
    }

    [Fact]
    public void Floats_round_trip_bit_for_bit()
    {
        double[] doubles = [0.0, -0.0, 1.5, -2.25, double.Epsilon, double.MaxValue, double.MinValue, double.NaN,
            double.PositiveInfinity, double.NegativeInfinity, BitConverter.Int64BitsToDouble(0x7ff0_0000_0000_1234), 0.1];
        foreach (double value in doubles)
        {
            double read = Unpack(Pack((ref MessagePackWriter w) => w.Write(value)), (ref MessagePackReader r) => r.ReadDouble());
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(read));
        }

        float[] floats = [0.0f, -0.0f, 1.5f, float.Epsilon, float.MaxValue, float.NaN, float.NegativeInfinity, 0.1f];
        foreach (float value in floats)
        {
            byte[] bytes = Pack((ref MessagePackWriter w) => w.Write(value));
            float read = Unpack(bytes, (ref MessagePackReader r) => r.ReadSingle());
            Assert.Equal(BitConverter.SingleToInt32Bits(value), BitConverter.SingleToInt32Bits(read));
            Assert.Equal((double)value, Unpack(bytes, (ref MessagePackReader r) => r.ReadDouble()));
        }
    }

    [Fact]
    public void Conversions_between_number_kinds_must_be_exact()
    {
        Assert.Equal(1.5f, Unpack(Pack((ref MessagePackWriter w) => w.Write(1.5)), (ref MessagePackReader r) => r.ReadSingle()));
        Assert.True(float.IsNaN(Unpack(Pack((ref MessagePackWriter w) => w.Write(double.NaN)), (ref MessagePackReader r) => r.ReadSingle())));
        AssertMalformed(Pack((ref MessagePackWriter w) => w.Write(0.1)), (ref MessagePackReader r) => r.ReadSingle());
        AssertMalformed(Pack((ref MessagePackWriter w) => w.Write(1e300)), (ref MessagePackReader r) => r.ReadSingle());
        Assert.Equal(16777216f, Unpack(Pack((ref MessagePackWriter w) => w.Write(16777216)), (ref MessagePackReader r) => r.ReadSingle()));
        AssertMalformed(Pack((ref MessagePackWriter w) => w.Write(16777217)), (ref MessagePackReader r) => r.ReadSingle());
        Assert.Equal(9007199254740992.0, Unpack(Pack((ref MessagePackWriter w) => w.Write(9007199254740992L)), (ref MessagePackReader r) => r.ReadDouble()));
        AssertMalformed(Pack((ref MessagePackWriter w) => w.Write(9007199254740993L)), (ref MessagePackReader r) => r.ReadDouble());
        AssertMalformed(Pack((ref MessagePackWriter w) => w.Write(ulong.MaxValue)), (ref MessagePackReader r) => r.ReadDouble());
        Assert.Equal(-9223372036854775808.0, Unpack(Pack((ref MessagePackWriter w) => w.Write(long.MinValue)), (ref MessagePackReader r) => r.ReadDouble()));
        AssertMalformed(Pack((ref MessagePackWriter w) => w.Write(long.MaxValue)), (ref MessagePackReader r) => r.ReadDouble());
        AssertMalformed(Pack((ref MessagePackWriter w) => w.Write(1.0)), (ref MessagePackReader r) => r.ReadInt32());
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("héllo wörld €")]
    [InlineData("\U0001F600 emoji and \0 nul")]
    public void Strings_round_trip(string value)
    {
        byte[] bytes = Pack((ref MessagePackWriter w) => w.WriteString(value));
        Assert.Equal(value, Unpack(bytes, (ref MessagePackReader r) => r.ReadString()));
        Assert.Equal(value, Unpack(bytes, (ref MessagePackReader r) => r.ReadNullableString()));
        Assert.Equal(
            System.Text.Encoding.UTF8.GetBytes(value),
            Unpack(bytes, (ref MessagePackReader r) => r.ReadStringSpan().ToArray()));
        string big = string.Concat(Enumerable.Repeat(value + "x", 20000));
        Assert.Equal(big, Unpack(Pack((ref MessagePackWriter w) => w.WriteString(big)), (ref MessagePackReader r) => r.ReadString()));
    }

    [Fact]
    public void Nil_is_only_accepted_where_null_is()
    {
        Assert.Null(Unpack("c0", (ref MessagePackReader r) => r.ReadNullableString()));
        Assert.Null(Unpack("c0", (ref MessagePackReader r) => r.ReadNullableBinary()));
        Assert.True(Unpack("c0", (ref MessagePackReader r) => r.TryReadNil()));
        Assert.False(Unpack("01", (ref MessagePackReader r) => r.TryReadNil() || r.ReadInt32() != 1));
        AssertMalformed("c0", (ref MessagePackReader r) => r.ReadString());
        AssertMalformed("c0", (ref MessagePackReader r) => r.ReadBinary());
        AssertMalformed("c0", (ref MessagePackReader r) => r.ReadInt32());
        AssertMalformed("c2", (ref MessagePackReader r) => r.ReadNil());
        Unpack("c0", (ref MessagePackReader r) => { r.ReadNil(); return 0; });
    }

    [Fact]
    public void Binary_booleans_and_headers_round_trip()
    {
        byte[] payload = [0, 1, 2, 255];
        Assert.Equal(payload, Unpack(Pack((ref MessagePackWriter w) => w.WriteBinary(payload)), (ref MessagePackReader r) => r.ReadBinary()));
        Assert.True(Unpack("c3", (ref MessagePackReader r) => r.ReadBoolean()));
        Assert.False(Unpack("c2", (ref MessagePackReader r) => r.ReadBoolean()));
        AssertMalformed("01", (ref MessagePackReader r) => r.ReadBoolean());
        AssertMalformed("a3616263", (ref MessagePackReader r) => r.ReadBinary());
        AssertMalformed("c403616263", (ref MessagePackReader r) => r.ReadString());
        Assert.Equal(2, Unpack("dc0002c0c0", (ref MessagePackReader r) => { int n = r.ReadArrayHeader(); r.ReadNil(); r.ReadNil(); return n; }));
        Assert.Equal(1, Unpack("df0000000101c0", (ref MessagePackReader r) => { int n = r.ReadMapHeader(); r.ReadInt32(); r.ReadNil(); return n; }));
        AssertMalformed("80", (ref MessagePackReader r) => r.ReadArrayHeader());
        AssertMalformed("90", (ref MessagePackReader r) => r.ReadMapHeader());
    }

    [Theory]
    [InlineData("c0", MessagePackType.Nil)]
    [InlineData("c3", MessagePackType.Boolean)]
    [InlineData("7f", MessagePackType.Integer)]
    [InlineData("e0", MessagePackType.Integer)]
    [InlineData("cf", MessagePackType.Integer)]
    [InlineData("ca", MessagePackType.Float)]
    [InlineData("bf", MessagePackType.String)]
    [InlineData("db", MessagePackType.String)]
    [InlineData("c6", MessagePackType.Binary)]
    [InlineData("9f", MessagePackType.Array)]
    [InlineData("dd", MessagePackType.Array)]
    [InlineData("80", MessagePackType.Map)]
    [InlineData("df", MessagePackType.Map)]
    [InlineData("d8", MessagePackType.Extension)]
    [InlineData("c9", MessagePackType.Extension)]
    public void PeekType_names_the_family_without_consuming(string hex, MessagePackType expected)
    {
        var reader = new MessagePackReader(FromHex(hex));
        Assert.Equal(expected, reader.PeekType());
        Assert.Equal(0, reader.Position);
    }

    private static void AssertReadsIfFits<T>(byte[] bytes, long value, long min, long max, ReadFunc<T> read)
    {
        if (value >= min && value <= max)
        {
            Assert.Equal(value, Convert.ToInt64(Unpack(bytes, read), System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            var exception = AssertMalformed(bytes, (ref MessagePackReader r) => read(ref r));
            Assert.Contains("does not", exception.Message, StringComparison.Ordinal);
        }
    }
}
