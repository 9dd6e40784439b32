using Persistence.Serialization;
using static Persistence.Tests.Serialization.MessagePackTesting;

namespace Persistence.Tests.Serialization;

public sealed partial class MessagePackReaderTests
{
    /// <summary>Every public way to read a value, each reading one value from the start of the input.</summary>
    private static readonly ReadAction[] s_everyReader =
    [
        (ref MessagePackReader r) => r.Skip(),
        (ref MessagePackReader r) => r.ReadRawValue(),
        (ref MessagePackReader r) => MessagePackModel.Read(ref r),
        (ref MessagePackReader r) => r.PeekType(),
        (ref MessagePackReader r) => r.ReadNil(),
        (ref MessagePackReader r) => r.ReadBoolean(),
        (ref MessagePackReader r) => r.ReadInt32(),
        (ref MessagePackReader r) => r.ReadUInt64(),
        (ref MessagePackReader r) => r.TryReadInt32(out _),
        (ref MessagePackReader r) => r.ReadDouble(),
        (ref MessagePackReader r) => r.ReadSingle(),
        (ref MessagePackReader r) => r.ReadDecimal(),
        (ref MessagePackReader r) => r.ReadString(),
        (ref MessagePackReader r) => r.ReadNullableString(),
        (ref MessagePackReader r) => r.ReadStringSpan(),
        (ref MessagePackReader r) => r.ReadBinary(),
        (ref MessagePackReader r) => r.ReadGuid(),
        (ref MessagePackReader r) => r.ReadArrayHeader(),
        (ref MessagePackReader r) => r.ReadMapHeader(),
        (ref MessagePackReader r) => r.ReadRawSpan(r.ReadExtensionHeader().Length),
        (ref MessagePackReader r) => r.ReadTimestamp(),
        (ref MessagePackReader r) => r.ReadDateTimeOffset(),
        (ref MessagePackReader r) => r.ReadDateOnly(),
        (ref MessagePackReader r) => r.ReadTimeOnly(),
    ];

    [Fact]
    public void Every_truncation_of_random_documents_in_any_form_throws_the_serialization_exception()
    {
        var random = new Random(4103);
        for (int i = 0; i < 150; i++)
        {
            byte[] document = MessagePackForms.Encode(MessagePackRandomValues.Next(random), random);
            for (int cut = 0; cut < document.Length; cut += cut < 600 ? 1 : 1 + random.Next(5000))
            {
                AssertMalformed(document[..cut], (ref MessagePackReader r) => r.Skip());
                AssertMalformed(document[..cut], (ref MessagePackReader r) => MessagePackModel.Read(ref r));
            }
        }
    }

    [Fact]
    public void Corrupted_documents_are_read_or_refused_with_the_serialization_exception_by_every_reader()
    {
        // Random bytes overwritten in random documents, cut short or not: whatever the damage, a reader returns a
        // value or throws the typed exception, never IndexOutOfRange, Overflow, InvalidCast or Argument exceptions.
        var random = new Random(5103);
        for (int i = 0; i < 4000; i++)
        {
            byte[] document = MessagePackForms.Encode(MessagePackRandomValues.Next(random, depth: 2), random);
            for (int damage = random.Next(1, 4); damage > 0 && document.Length > 0; damage--)
            {
                document[random.Next(Math.Min(document.Length, 64))] = (byte)random.Next(256);
            }

            if (random.Next(4) == 0)
            {
                document = document[..random.Next(document.Length + 1)];
            }

            foreach (ReadAction read in s_everyReader)
            {
                try
                {
                    var reader = new MessagePackReader(document);
                    read(ref reader);
                }
                catch (PersistenceSerializationException exception)
                {
                    Assert.Equal(ErrorCode.SerializationError, exception.Code);
                }
            }
        }
    }

    [Theory]
    [InlineData("db7fffffff")] // str32 of int.MaxValue bytes
    [InlineData("db80000000")] // str32 of int.MaxValue + 1 bytes
    [InlineData("dbffffffff")] // str32 of 4 GiB
    [InlineData("c680000000")] // bin32
    [InlineData("c9ffffffff05")] // ext32
    [InlineData("dd7fffffff")] // array32
    [InlineData("df80000000")] // map32
    [InlineData("dfffffffff")] // map32 of uint.MaxValue pairs
    public void Lengths_near_the_32_bit_limits_are_refused_before_anything_of_their_size_is_allocated(string hex)
    {
        // Padded with a megabyte of zeros: every claim still exceeds what remains.
        byte[] input = [.. FromHex(hex), .. new byte[1 << 20]];
        foreach (ReadAction read in s_everyReader)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var reader = new MessagePackReader(input);
                read(ref reader);
            }
            catch (PersistenceSerializationException)
            {
            }

            // Messages and boxes only: nothing near the declared length (one copy of the input would be a megabyte).
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256 * 1024, $"allocated for {hex}");
        }

        AssertMalformed(input, (ref MessagePackReader r) => r.Skip());
        AssertMalformed(input, (ref MessagePackReader r) => MessagePackModel.Read(ref r));
    }

    [Fact]
    public void Skip_passes_over_a_hundred_thousand_levels_of_maps_arrays_and_extensions_without_recursion()
    {
        // Each level is a map of one entry whose key is an extension of a type we do not know and whose value is an
        // array of an array16 of one element: the next level.
        const int Depth = 100_000;
        byte[] level = FromHex("81 d5 63 0102 91 dc0001");
        byte[] deep = [.. Enumerable.Repeat(level, Depth).SelectMany(b => b), 0xc0];
        var reader = new MessagePackReader(deep);
        reader.Skip();
        Assert.True(reader.End);
        AssertMalformed(deep[..^1], (ref MessagePackReader r) => r.Skip());
    }
}
