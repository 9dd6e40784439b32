using Persistence.Serialization;
using static Persistence.Tests.Serialization.MessagePackTesting;

namespace Persistence.Tests.Serialization;

public sealed partial class MessagePackReaderTests
{
    private delegate object NumberReader(ref MessagePackReader reader);

    /// <summary>Each typed number reader with the range of the values it must accept.</summary>
    private static readonly (string Name, NumberReader Read, Func<Int128, bool> Fits)[] s_numberReaders =
    [
        ("SByte", (ref MessagePackReader r) => (Int128)r.ReadSByte(), v => v >= sbyte.MinValue && v <= sbyte.MaxValue),
        ("Int16", (ref MessagePackReader r) => (Int128)r.ReadInt16(), v => v >= short.MinValue && v <= short.MaxValue),
        ("Int32", (ref MessagePackReader r) => (Int128)r.ReadInt32(), v => v >= int.MinValue && v <= int.MaxValue),
        ("Int64", (ref MessagePackReader r) => (Int128)r.ReadInt64(), v => v >= long.MinValue && v <= long.MaxValue),
        ("Byte", (ref MessagePackReader r) => (Int128)r.ReadByte(), v => v >= 0 && v <= byte.MaxValue),
        ("UInt16", (ref MessagePackReader r) => (Int128)r.ReadUInt16(), v => v >= 0 && v <= ushort.MaxValue),
        ("UInt32", (ref MessagePackReader r) => (Int128)r.ReadUInt32(), v => v >= 0 && v <= uint.MaxValue),
        ("UInt64", (ref MessagePackReader r) => (Int128)r.ReadUInt64(), v => v >= 0 && v <= ulong.MaxValue),
        ("Decimal", (ref MessagePackReader r) => (Int128)r.ReadDecimal(), _ => true),
        ("Double", (ref MessagePackReader r) => (Int128)r.ReadDouble(), v => (Int128)(double)v == v),
        ("Single", (ref MessagePackReader r) => (Int128)r.ReadSingle(), v => (Int128)(float)v == v),
        ("TryReadInt32", (ref MessagePackReader r) => r.TryReadInt32(out int tag) ? (Int128)tag : "not an int", v => v >= int.MinValue && v <= int.MaxValue),
    ];

    [Fact]
    public void Every_integer_form_reads_as_its_value_into_each_type_that_holds_it_and_is_refused_by_the_others()
    {
        var random = new Random(3103);
        for (int i = 0; i < 3000; i++)
        {
            Int128 value = MessagePackRandomValues.NextInteger(random) switch
            {
                long l => l,
                ulong u => u,
                var other => throw new InvalidOperationException($"Unexpected integer {other}."),
            };

            foreach (byte[] form in MessagePackForms.IntegerForms(value))
            {
                foreach ((string name, NumberReader read, Func<Int128, bool> fits) in s_numberReaders)
                {
                    string context = $"{name} of {Convert.ToHexStringLower(form)} ({value})";
                    if (name == "TryReadInt32")
                    {
                        // A key that is not an int is left for the caller to read as a name or to skip.
                        var reader = new MessagePackReader(form);
                        object result = read(ref reader);
                        Assert.True(fits(value) ? result.Equals(value) && reader.End : result is string && reader.Position == 0, context);
                    }
                    else if (fits(value))
                    {
                        Assert.True(Unpack(form, (ref MessagePackReader r) => read(ref r)).Equals(value), context);
                    }
                    else
                    {
                        Assert.Contains("which does not", AssertMalformed(form, (ref MessagePackReader r) => read(ref r)).Message, StringComparison.Ordinal);
                    }
                }
            }
        }
    }

    [Fact]
    public void Floats_are_never_read_as_integers_and_nan_or_infinity_are_refused_by_every_integer_reader()
    {
        foreach (double value in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0, -0.0, 300.0 })
        {
            byte[] float64 = Pack((ref MessagePackWriter w) => w.Write(value));
            byte[] float32 = Pack((ref MessagePackWriter w) => w.Write((float)value));
            foreach ((string name, NumberReader read, _) in s_numberReaders)
            {
                if (name is "Double" or "Single" or "TryReadInt32")
                {
                    continue;
                }

                AssertMalformed(float64, (ref MessagePackReader r) => read(ref r));
                AssertMalformed(float32, (ref MessagePackReader r) => read(ref r));
            }
        }
    }
}
