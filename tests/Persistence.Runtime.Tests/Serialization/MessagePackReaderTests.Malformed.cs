using Persistence.Serialization;
using static Persistence.Tests.Serialization.MessagePackTesting;

namespace Persistence.Tests.Serialization;

public sealed partial class MessagePackReaderTests
{
    private static readonly (WriteAction Write, ReadAction Read)[] s_scalars =
    [
        ((ref MessagePackWriter w) => w.Write(200), (ref MessagePackReader r) => r.ReadInt32()),
        ((ref MessagePackWriter w) => w.Write(-200), (ref MessagePackReader r) => r.ReadInt16()),
        ((ref MessagePackWriter w) => w.Write(70000), (ref MessagePackReader r) => r.ReadUInt32()),
        ((ref MessagePackWriter w) => w.Write(long.MinValue), (ref MessagePackReader r) => r.ReadInt64()),
        ((ref MessagePackWriter w) => w.Write(ulong.MaxValue), (ref MessagePackReader r) => r.ReadUInt64()),
        ((ref MessagePackWriter w) => w.Write(1.5f), (ref MessagePackReader r) => r.ReadSingle()),
        ((ref MessagePackWriter w) => w.Write(1.5), (ref MessagePackReader r) => r.ReadDouble()),
        ((ref MessagePackWriter w) => w.WriteString("héllo"), (ref MessagePackReader r) => r.ReadString()),
        ((ref MessagePackWriter w) => w.WriteString(new string('x', 300)), (ref MessagePackReader r) => r.ReadStringSpan()),
        ((ref MessagePackWriter w) => w.WriteBinary(new byte[70000]), (ref MessagePackReader r) => r.ReadBinarySpan()),
        ((ref MessagePackWriter w) => w.WriteExtension(3, new byte[300]), (ref MessagePackReader r) => r.ReadExtensionHeader()),
        ((ref MessagePackWriter w) => w.WriteTimestamp(DateTime.UnixEpoch.AddDays(-1)), (ref MessagePackReader r) => r.ReadTimestamp()),
        ((ref MessagePackWriter w) => w.WriteTimestamp(DateTime.UnixEpoch.AddTicks(1)), (ref MessagePackReader r) => r.ReadTimestamp()),
        ((ref MessagePackWriter w) => w.WriteArrayHeader(70000), (ref MessagePackReader r) => r.ReadArrayHeader()),
        ((ref MessagePackWriter w) => w.WriteMapHeader(20), (ref MessagePackReader r) => r.ReadMapHeader()),
        ((ref MessagePackWriter w) => w.Write(Guid.NewGuid()), (ref MessagePackReader r) => r.ReadGuid()),
        ((ref MessagePackWriter w) => w.Write(-12.345m), (ref MessagePackReader r) => r.ReadDecimal()),
        ((ref MessagePackWriter w) => w.Write(DateTimeOffset.UnixEpoch), (ref MessagePackReader r) => r.ReadDateTimeOffset()),
    ];

    [Fact]
    public void Every_truncation_of_a_value_throws()
    {
        foreach ((WriteAction write, ReadAction read) in s_scalars)
        {
            byte[] bytes = Pack(write);
            for (int cut = 0; cut < bytes.Length; cut++)
            {
                byte[] truncated = bytes[..cut];
                AssertMalformed(truncated, read);
                AssertMalformed(truncated, (ref MessagePackReader r) => r.Skip());
            }
        }
    }

    [Theory]
    [InlineData("cc80", "SByte")]
    [InlineData("d1ff7f", "SByte")]
    [InlineData("ff", "Byte")]
    [InlineData("cd0100", "Byte")]
    [InlineData("ce00010000", "UInt16")]
    [InlineData("ce80000000", "Int32")]
    [InlineData("d0ff", "UInt32")]
    [InlineData("d38000000000000000", "UInt64")]
    [InlineData("cf8000000000000000", "Int64")]
    public void Integers_that_do_not_fit_the_target_throw(string hex, string target)
    {
        var exception = AssertMalformed(hex, (ref MessagePackReader r) =>
        {
            _ = target switch
            {
                "SByte" => r.ReadSByte(),
                "Byte" => r.ReadByte(),
                "UInt16" => r.ReadUInt16(),
                "Int32" => r.ReadInt32(),
                "UInt32" => r.ReadUInt32(),
                "UInt64" => (decimal)r.ReadUInt64(),
                _ => r.ReadInt64(),
            };
        });
        Assert.Contains($"fits {target}", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// An integer too large for a long, where a DateOnly's day number, a TimeOnly's ticks or a DateTimeOffset's offset
    /// belongs, is refused in the terms of the type read, as a long that is out of its range is, not as an Int64.
    /// </summary>
    [Fact]
    public void A_uint64_beyond_a_long_names_the_temporal_type_read()
    {
        Assert.Equal(
            "Expected a value that fits DateOnly at byte offset 0 but found the integer 9223372036854775808, which does not.",
            AssertMalformed("cf8000000000000000", (ref MessagePackReader r) => r.ReadDateOnly()).Message);
        Assert.Equal(
            "Expected a value that fits TimeOnly at byte offset 0 but found the integer 18446744073709551615, which does not.",
            AssertMalformed("cfffffffffffffffff", (ref MessagePackReader r) => r.ReadTimeOnly()).Message);
        Assert.Equal(
            "Expected a value that fits DateTimeOffset at byte offset 7 but found the integer 9223372036854775808, which does not.",
            AssertMalformed("92d6ff00000000cf8000000000000000", (ref MessagePackReader r) => r.ReadDateTimeOffset()).Message);
    }

    [Fact]
    public void Messages_say_what_was_expected_what_was_found_and_where()
    {
        Assert.Equal(
            "Expected an integer at byte offset 1 but found fixstr (0xa0).",
            AssertMalformed("01a0", (ref MessagePackReader r) => { r.ReadInt32(); r.ReadInt32(); }).Message);
        Assert.Equal(
            "Expected 2 bytes of uint16 at byte offset 0 but found only 1 remaining.",
            AssertMalformed("cd01", (ref MessagePackReader r) => r.ReadInt32()).Message);
        Assert.Equal(
            "Expected a value that fits Byte at byte offset 0 but found the integer 256, which does not.",
            AssertMalformed("cd0100", (ref MessagePackReader r) => r.ReadByte()).Message);
        Assert.Equal(
            "Expected valid UTF-8 in the string at byte offset 0 but found an invalid sequence at byte offset 2.",
            AssertMalformed("a361c328", (ref MessagePackReader r) => r.ReadString()).Message);
        Assert.Equal(
            "Expected a string at byte offset 0 but found the end of the input.",
            AssertMalformed("", (ref MessagePackReader r) => r.ReadString()).Message);
    }

    [Theory]
    [InlineData("a2c328")] // bad continuation byte
    [InlineData("a180")] // lone continuation byte
    [InlineData("a3eda080")] // encoded surrogate
    [InlineData("a2c080")] // overlong
    [InlineData("a4f4908080")] // above U+10FFFF
    [InlineData("a1ff")]
    [InlineData("a2e282")] // truncated sequence at the end of the string
    public void Invalid_utf8_throws(string hex)
    {
        AssertMalformed(hex, (ref MessagePackReader r) => r.ReadString());
        AssertMalformed(hex, (ref MessagePackReader r) => r.ReadStringSpan());
        AssertMalformed(hex, (ref MessagePackReader r) => r.ReadNullableString());
    }

    [Fact]
    public void The_reserved_byte_is_rejected_everywhere()
    {
        AssertMalformed("c1", (ref MessagePackReader r) => r.PeekType());
        AssertMalformed("c1", (ref MessagePackReader r) => r.Skip());
        AssertMalformed("91c1", (ref MessagePackReader r) => r.Skip());
        AssertMalformed("c1", (ref MessagePackReader r) => r.ReadInt32());
        AssertMalformed("c1", (ref MessagePackReader r) => r.ReadDouble());
        AssertMalformed("c1", (ref MessagePackReader r) => r.ReadString());
        AssertMalformed("c1", (ref MessagePackReader r) => r.ReadBinary());
        AssertMalformed("c1", (ref MessagePackReader r) => r.ReadBoolean());
        AssertMalformed("c1", (ref MessagePackReader r) => r.ReadArrayHeader());
        AssertMalformed("c1", (ref MessagePackReader r) => r.ReadExtensionHeader());
        Assert.Contains("reserved byte (0xc1)", AssertMalformed("c1", (ref MessagePackReader r) => r.ReadNil()).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dbffffffff")]
    [InlineData("db7fffffff41")]
    [InlineData("c6ffffffff")]
    [InlineData("c9ffffffff01")]
    [InlineData("ddffffffff")]
    [InlineData("dfffffffff")]
    [InlineData("dcffff00")]
    [InlineData("de000100")]
    [InlineData("d9ff41")]
    public void Declared_lengths_beyond_the_input_throw(string hex)
    {
        AssertMalformed(hex, (ref MessagePackReader r) => r.Skip());
        AssertMalformed(hex, (ref MessagePackReader r) =>
        {
            switch (r.PeekType())
            {
                case MessagePackType.String: r.ReadStringSpan(); break;
                case MessagePackType.Binary: r.ReadBinarySpan(); break;
                case MessagePackType.Extension: r.ReadExtensionHeader(); break;
                case MessagePackType.Array: r.ReadArrayHeader(); break;
                default: r.ReadMapHeader(); break;
            }
        });
    }

    [Fact]
    public void Wrong_types_throw()
    {
        AssertMalformed("c3", (ref MessagePackReader r) => r.ReadInt32());
        AssertMalformed("01", (ref MessagePackReader r) => r.ReadString());
        AssertMalformed("a0", (ref MessagePackReader r) => r.ReadArrayHeader());
        AssertMalformed("c400", (ref MessagePackReader r) => r.ReadExtensionHeader());
        AssertMalformed("a0", (ref MessagePackReader r) => r.ReadDouble());
        AssertMalformed("d6ff00000000", (ref MessagePackReader r) => r.ReadBinary());
        AssertMalformed("", (ref MessagePackReader r) => r.PeekType());
        AssertMalformed("01", (ref MessagePackReader r) => r.ReadRawSpan(2));
    }

    [Fact]
    public void Nesting_beyond_the_limit_throws()
    {
        var reader = new MessagePackReader([]);
        for (int i = 0; i < MessagePackReader.MaxDepth; i++)
        {
            reader.EnterNested();
        }

        Assert.Equal(MessagePackReader.MaxDepth, reader.Depth);
        try
        {
            reader.EnterNested();
            Assert.Fail("EnterNested beyond MaxDepth did not throw.");
        }
        catch (PersistenceSerializationException exception)
        {
            Assert.Contains("512 levels", exception.Message, StringComparison.Ordinal);
        }

        reader.ExitNested();
        reader.ExitNested();
        Assert.Equal(MessagePackReader.MaxDepth - 1, reader.Depth);
    }
}
