using System.Buffers;
using Persistence.Serialization;
using static Persistence.Tests.Serialization.MessagePackTesting;

namespace Persistence.Tests.Serialization;

/// <summary>Byte-exact checks of every format boundary in the MessagePack specification.</summary>
public sealed partial class MessagePackWriterTests
{
    [Theory]
    [InlineData(0L, "00")]
    [InlineData(1L, "01")]
    [InlineData(127L, "7f")]
    [InlineData(128L, "cc80")]
    [InlineData(255L, "ccff")]
    [InlineData(256L, "cd0100")]
    [InlineData(65535L, "cdffff")]
    [InlineData(65536L, "ce00010000")]
    [InlineData(4294967295L, "ceffffffff")]
    [InlineData(4294967296L, "cf0000000100000000")]
    [InlineData(long.MaxValue, "cf7fffffffffffffff")]
    [InlineData(-1L, "ff")]
    [InlineData(-32L, "e0")]
    [InlineData(-33L, "d0df")]
    [InlineData(-128L, "d080")]
    [InlineData(-129L, "d1ff7f")]
    [InlineData(-32768L, "d18000")]
    [InlineData(-32769L, "d2ffff7fff")]
    [InlineData(-2147483648L, "d280000000")]
    [InlineData(-2147483649L, "d3ffffffff7fffffff")]
    [InlineData(long.MinValue, "d38000000000000000")]
    public void Int64_uses_the_smallest_format(long value, string expected)
    {
        Assert.Equal(expected, PackHex((ref MessagePackWriter w) => w.Write(value)));
        if (value >= 0)
        {
            Assert.Equal(expected, PackHex((ref MessagePackWriter w) => w.Write((ulong)value)));
        }
    }

    [Fact]
    public void Every_integer_overload_uses_the_smallest_format()
    {
        Assert.Equal("cfffffffffffffffff", PackHex((ref MessagePackWriter w) => w.Write(ulong.MaxValue)));
        Assert.Equal("ccc8", PackHex((ref MessagePackWriter w) => w.Write((byte)200)));
        Assert.Equal("7f", PackHex((ref MessagePackWriter w) => w.Write((sbyte)127)));
        Assert.Equal("d080", PackHex((ref MessagePackWriter w) => w.Write(sbyte.MinValue)));
        Assert.Equal("fb", PackHex((ref MessagePackWriter w) => w.Write((sbyte)-5)));
        Assert.Equal("d1ff38", PackHex((ref MessagePackWriter w) => w.Write((short)-200)));
        Assert.Equal("cd7fff", PackHex((ref MessagePackWriter w) => w.Write(short.MaxValue)));
        Assert.Equal("cdffff", PackHex((ref MessagePackWriter w) => w.Write(ushort.MaxValue)));
        Assert.Equal("ce7fffffff", PackHex((ref MessagePackWriter w) => w.Write(int.MaxValue)));
        Assert.Equal("d280000000", PackHex((ref MessagePackWriter w) => w.Write(int.MinValue)));
        Assert.Equal("ceffffffff", PackHex((ref MessagePackWriter w) => w.Write(uint.MaxValue)));
        Assert.Equal("0a", PackHex((ref MessagePackWriter w) => w.Write(10u)));
    }

    [Fact]
    public void Nil_booleans_and_floats()
    {
        Assert.Equal("c0", PackHex((ref MessagePackWriter w) => w.WriteNil()));
        Assert.Equal("c3", PackHex((ref MessagePackWriter w) => w.Write(true)));
        Assert.Equal("c2", PackHex((ref MessagePackWriter w) => w.Write(false)));
        Assert.Equal("ca3fc00000", PackHex((ref MessagePackWriter w) => w.Write(1.5f)));
        Assert.Equal("ca80000000", PackHex((ref MessagePackWriter w) => w.Write(-0.0f)));
        Assert.Equal("cb3ff8000000000000", PackHex((ref MessagePackWriter w) => w.Write(1.5)));
        Assert.Equal("cbfff0000000000000", PackHex((ref MessagePackWriter w) => w.Write(double.NegativeInfinity)));
        double payloadNaN = BitConverter.Int64BitsToDouble(0x7ff0_0000_0000_1234);
        Assert.Equal("cb7ff0000000001234", PackHex((ref MessagePackWriter w) => w.Write(payloadNaN)));
    }

    [Theory]
    [InlineData(0, "a0")]
    [InlineData(31, "bf")]
    [InlineData(32, "d920")]
    [InlineData(255, "d9ff")]
    [InlineData(256, "da0100")]
    [InlineData(65535, "daffff")]
    [InlineData(65536, "db00010000")]
    public void String_headers_at_each_boundary(int length, string expectedHeader)
    {
        string value = new('x', length);
        byte[] bytes = Pack((ref MessagePackWriter w) => w.WriteString(value));
        Assert.Equal(expectedHeader, Convert.ToHexStringLower(bytes.AsSpan(0, expectedHeader.Length / 2)));
        Assert.Equal(expectedHeader.Length / 2 + length, bytes.Length);
        Assert.All(bytes[(expectedHeader.Length / 2)..], b => Assert.Equal((byte)'x', b));

        byte[] viaUtf8 = Pack((ref MessagePackWriter w) => w.WriteStringUtf8(System.Text.Encoding.UTF8.GetBytes(value)));
        Assert.Equal(bytes, viaUtf8);
    }

    [Theory]
    [InlineData("é", "a2c3a9")]
    [InlineData("€", "a3e282ac")]
    [InlineData("\U0001F600", "a4f09f9880")]
    [InlineData("€€€€€€€€€€", "be" + "e282ace282ace282ace282ace282ace282ace282ace282ace282ace282ac")]
    [InlineData("ééééééééééé", "b6" + "c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9")]
    [InlineData("€€€€€€€€€€€", "d921" + "e282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ac")]
    public void Non_ascii_strings_are_utf8_with_the_header_of_their_byte_length(string value, string expected)
    {
        Assert.Equal(expected, PackHex((ref MessagePackWriter w) => w.WriteString(value)));
    }

    [Fact]
    public void Strings_of_every_length_around_the_fixstr_and_str8_limits_match_their_utf8_bytes_written_directly()
    {
        // WriteString encodes text of up to 85 chars before choosing its header; WriteStringUtf8 writes the header of a
        // known byte count. Both must give the same bytes for every mix of 1-, 2- and 3-byte characters.
        foreach (var unit in new[] { "x", "é", "€", "x€", "é\U0001F600" })
        {
            for (var repeat = 0; repeat * unit.Length <= 100; repeat++)
            {
                var value = string.Concat(Enumerable.Repeat(unit, repeat));
                var utf8 = System.Text.Encoding.UTF8.GetBytes(value);
                Assert.Equal(
                    Pack((ref MessagePackWriter w) => w.WriteStringUtf8(utf8)),
                    Pack((ref MessagePackWriter w) => w.WriteString(value)));
            }
        }
    }

    [Fact]
    public void Null_string_is_nil()
    {
        Assert.Equal("c0", PackHex((ref MessagePackWriter w) => w.WriteString((string?)null)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Lone_surrogates_cannot_be_written(int which)
    {
        // Built in code: attribute arguments cannot carry lone surrogates (the compiler replaces them with U+FFFD).
        // Above 85 chars the writer counts the UTF-8 bytes first (Encoding.UTF8 counts a lone surrogate as U+FFFD), so
        // the refusal there comes from the encoding after the count, not from the fast path.
        string value = which switch
        {
            0 => "a\ud800",
            1 => "\udc00 followed by a tail long enough to take the counting path" + new string('x', 100),
            2 => new string('x', 100) + "\ud800",
            _ => "tail then a reversed pair \udc00\ud800",
        };
        var exception = Assert.Throws<PersistenceSerializationException>(
            () => Pack((ref MessagePackWriter w) => w.WriteString(value)));
        Assert.Contains("lone surrogate", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_cannot_be_written_as_a_string()
    {
        var exception = Assert.Throws<PersistenceSerializationException>(
            () => Pack((ref MessagePackWriter w) => w.WriteStringUtf8([0x61, 0xc3, 0x28])));
        Assert.Equal("Expected a string of valid UTF-8 to write as MessagePack str but found an invalid sequence (0xC3) at byte index 1 of the input.", exception.Message);
    }

    /// <summary>
    /// The writers refuse their input in one shape, which names where in the input the problem is (a char or byte index),
    /// not a byte offset: the readers' "at byte offset N" is a place in the MessagePack they read.
    /// </summary>
    [Fact]
    public void The_writers_refuse_their_input_in_one_shape()
    {
        var utf16 = Assert.Throws<PersistenceSerializationException>(() => Pack((ref MessagePackWriter w) => w.WriteString("a\ud800")));
        var utf8 = Assert.Throws<PersistenceSerializationException>(() => Pack((ref MessagePackWriter w) => w.WriteStringUtf8([0x61, 0x62, 0xff])));

        Assert.Equal("Expected a string of valid UTF-16 to write as MessagePack str but found a lone surrogate (U+D800) at char index 1 of the input.", utf16.Message);
        Assert.Equal("Expected a string of valid UTF-8 to write as MessagePack str but found an invalid sequence (0xFF) at byte index 2 of the input.", utf8.Message);
    }

    [Theory]
    [InlineData(0, "c400")]
    [InlineData(1, "c401")]
    [InlineData(255, "c4ff")]
    [InlineData(256, "c50100")]
    [InlineData(65535, "c5ffff")]
    [InlineData(65536, "c600010000")]
    public void Binary_headers_at_each_boundary(int length, string expectedHeader)
    {
        byte[] value = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        byte[] bytes = Pack((ref MessagePackWriter w) => w.WriteBinary(value));
        Assert.Equal(FromHex(expectedHeader).Concat(value), bytes);
    }

    [Theory]
    [InlineData(0, "90", "80")]
    [InlineData(15, "9f", "8f")]
    [InlineData(16, "dc0010", "de0010")]
    [InlineData(65535, "dcffff", "deffff")]
    [InlineData(65536, "dd00010000", "df00010000")]
    [InlineData(int.MaxValue, "dd7fffffff", "df7fffffff")]
    public void Array_and_map_headers_at_each_boundary(int count, string array, string map)
    {
        Assert.Equal(array, PackHex((ref MessagePackWriter w) => w.WriteArrayHeader(count)));
        Assert.Equal(map, PackHex((ref MessagePackWriter w) => w.WriteMapHeader(count)));
    }

    [Fact]
    public void Negative_counts_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pack((ref MessagePackWriter w) => w.WriteArrayHeader(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pack((ref MessagePackWriter w) => w.WriteMapHeader(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pack((ref MessagePackWriter w) => w.WriteExtensionHeader(1, -1)));
    }

    [Fact]
    public void Writes_into_small_output_segments_and_flushes_everything()
    {
        var output = new SmallSegmentWriter(7);
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(3);
        writer.WriteString("a string longer than one segment of the output");
        writer.WriteBinary(new byte[100]);
        writer.Write(long.MinValue);
        writer.Flush();

        var reader = new MessagePackReader(output.ToArray());
        Assert.Equal(3, reader.ReadArrayHeader());
        Assert.Equal("a string longer than one segment of the output", reader.ReadString());
        Assert.Equal(new byte[100], reader.ReadBinary());
        Assert.Equal(long.MinValue, reader.ReadInt64());
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(31)]
    [InlineData(40)]
    [InlineData(62)]
    public void A_string_fits_an_output_of_fixed_size_that_holds_exactly_its_bytes(int length)
    {
        // The single-pass encoding may ask for the worst case (3 bytes per char) only in space already given.
        var value = new string('a', length);
        var expected = Pack((ref MessagePackWriter w) => w.WriteString(value));
        var output = new FixedWriter(expected.Length);
        var writer = new MessagePackWriter(output);
        writer.WriteString(value);
        writer.Flush();
        Assert.Equal(expected, output.Written);
    }

    /// <summary>An output of one fixed buffer that cannot grow (GetSpan returns what is left of it).</summary>
    private sealed class FixedWriter(int size) : IBufferWriter<byte>
    {
        private readonly byte[] _buffer = new byte[size];
        private int _written;

        public byte[] Written => _buffer[.._written];

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }

    /// <summary>An output that hands out spans of at most a few bytes more than requested, to force refills.</summary>
    private sealed class SmallSegmentWriter(int segment) : IBufferWriter<byte>
    {
        private readonly List<byte> _written = [];
        private byte[] _current = [];

        public void Advance(int count) => _written.AddRange(_current.AsSpan(0, count));

        public Memory<byte> GetMemory(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, 1) + segment];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public byte[] ToArray() => [.. _written];
    }
}
