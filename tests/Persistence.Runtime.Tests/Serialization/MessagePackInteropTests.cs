using Persistence.Serialization;
using Persistence.Testing;
using static Persistence.Tests.Serialization.MessagePackModel;
using static Persistence.Tests.Serialization.MessagePackTesting;

namespace Persistence.Tests.Serialization;

/// <summary>
/// Interoperability with an independent implementation (Debian's python3-msgpack). These tests fail, never skip, when
/// Python or the module is missing.
/// </summary>
public sealed class MessagePackInteropTests
{
    private static readonly long[] s_integerBoundaries =
    [
        0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, long.MaxValue,
        -1, -32, -33, -128, -129, -32768, -32769, int.MinValue, -2147483649, long.MinValue,
    ];

    /// <summary>Values both implementations can express, so the bytes must be identical, not only equivalent.</summary>
    private static object?[] SharedValues() =>
    [
        .. s_integerBoundaries.Cast<object?>(),
        ulong.MaxValue,
        null, true, false,
        0.0, -0.0, 1.5, -2.25, 1e300, double.Epsilon, double.PositiveInfinity, double.NegativeInfinity, double.NaN,
        "", "a", "héllo wörld", "日本語", "\U0001F600 \0 end", new string('a', 31), new string('a', 32), new string('é', 128),
        new string('z', 65535), new string('z', 65536),
        Array.Empty<byte>(), new byte[] { 0, 1, 255 }, new byte[256], new byte[65536],
        Array.Empty<object?>(), Enumerable.Range(0, 15).Select(i => (object?)(long)i).ToArray(),
        Enumerable.Range(0, 16).Select(i => (object?)(long)i).ToArray(),
        new object?[] { 1L, new object?[] { "two", new object?[] { 3.5, new MapValue([]) } }, null },
        new MapValue([new(1L, "one"), new("two", new object?[] { true, null }), new(-3L, new MapValue([new("x", 1.5)]))]),
        new MapValue(Enumerable.Range(0, 16).Select(i => new KeyValuePair<object?, object?>((long)i, (long)-i)).ToList()),
        new ExtensionValue(5, [1, 2, 3]), new ExtensionValue(127, new byte[16]), new ExtensionValue(0, []),
        new ExtensionValue(1, new byte[1]), new ExtensionValue(2, new byte[8]), new ExtensionValue(3, new byte[300]),
        new TimestampValue(0, 0), new TimestampValue(4294967295, 0), new TimestampValue(4294967296, 0),
        new TimestampValue(1, 1), new TimestampValue((1L << 34) - 1, 999_999_999), new TimestampValue(1L << 34, 0),
        new TimestampValue(-1, 999_999_999), new TimestampValue(-62135596800, 0), new TimestampValue(253402300799, 999_999_900),
    ];

    [Fact]
    public void Our_bytes_are_identical_to_python_msgpack_and_decode_to_the_same_values()
    {
        AssertIdenticalToPython(SharedValues());
    }

    [Fact]
    public void Random_values_pack_to_the_bytes_python_msgpack_packs_and_each_side_reads_the_other()
    {
        // Seeded, so that a failure names a value that can be reproduced.
        var random = new Random(1103);
        AssertIdenticalToPython([.. Enumerable.Range(0, 300).Select(_ => MessagePackRandomValues.Next(random))]);
    }

    [Fact]
    public void Every_form_a_writer_may_choose_reads_as_python_msgpack_reads_it()
    {
        // Longer forms than the shortest, chosen at random for every integer, header and timestamp in the tree.
        var random = new Random(2103);
        object?[] values = [.. SharedValues(), .. Enumerable.Range(0, 200).Select(_ => MessagePackRandomValues.Next(random))];
        byte[][] encodings = [.. values.SelectMany(v => new[] { MessagePackForms.Encode(v, random), MessagePackForms.Encode(v, random) })];
        string[] decodedByPython = PythonMsgpack.Run("decode", [.. encodings.Select(Convert.ToHexStringLower)]);
        for (int i = 0; i < encodings.Length; i++)
        {
            string expected = Describe(values[i / 2]);
            string hex = Convert.ToHexStringLower(encodings[i]);
            Assert.True(decodedByPython[i] == expected, $"Python decoded {hex} as {decodedByPython[i]}, expected {expected}");
            Assert.True(Describe(Unpack(encodings[i], Read)) == expected, $"We decoded {hex} otherwise than as {expected}");
            var reader = new MessagePackReader(encodings[i]);
            reader.Skip();
            Assert.True(reader.End, $"Skip stopped at byte {reader.Position} of {hex}");
        }
    }

    /// <summary>
    /// Python packs each value to our bytes, decodes ours to the value, and we read (and skip) Python's bytes as the value.
    /// </summary>
    private static void AssertIdenticalToPython(object?[] values)
    {
        string[] python = PythonMsgpack.Run("encode", values.Select(ToPython).ToList());
        string[] decodedByPython = PythonMsgpack.Run(
            "decode", values.Select(v => PackHex((ref MessagePackWriter w) => Write(ref w, v))).ToList());
        for (int i = 0; i < values.Length; i++)
        {
            string[] fields = python[i].Split('\t');
            string expected = Describe(values[i]);
            string ours = PackHex((ref MessagePackWriter w) => Write(ref w, values[i]));
            Assert.True(fields[1] == expected, $"Python packed {ToPython(values[i])} as {fields[1]}, expected {expected}");
            Assert.True(fields[0] == ours, $"Bytes differ for {expected}: ours {ours}, python {fields[0]}");
            Assert.True(decodedByPython[i] == expected, $"Python decoded {ours} as {decodedByPython[i]}, expected {expected}");
            Assert.Equal(expected, Describe(Unpack(FromHex(fields[0]), Read)));
            Assert.Equal(fields[0].Length / 2, Unpack(FromHex(fields[0]), (ref MessagePackReader r) =>
            {
                r.Skip();
                return r.Position;
            }));
        }
    }

    [Fact]
    public void Float32_and_DateTime_values_we_write_decode_in_python()
    {
        object?[] values = [1.5f, 0.1f, -0.0f, float.MaxValue, float.Epsilon, float.NaN, float.NegativeInfinity,
            new object?[] { 0.25f, 3.0f }];
        string[] decoded = PythonMsgpack.Run(
            "decode", values.Select(v => PackHex((ref MessagePackWriter w) => Write(ref w, v))).ToList());
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(Describe(values[i]), decoded[i]);
        }

        DateTime[] instants = [DateTime.UnixEpoch, new DateTime(2024, 2, 29, 12, 0, 0, DateTimeKind.Utc).AddTicks(1234567),
            DateTime.UnixEpoch.AddTicks(-1), DateTime.MinValue, DateTime.MaxValue, DateTime.UnixEpoch.AddSeconds(1L << 34)];
        string[] decodedInstants = PythonMsgpack.Run(
            "decode", instants.Select(t => PackHex((ref MessagePackWriter w) => w.WriteTimestamp(t))).ToList());
        for (int i = 0; i < instants.Length; i++)
        {
            long ticks = instants[i].Ticks - DateTime.UnixEpoch.Ticks;
            long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder);
            if (remainder < 0)
            {
                seconds--;
                remainder += TimeSpan.TicksPerSecond;
            }

            long nanoseconds = remainder * 100;
            Assert.Equal($"ts:{seconds}:{nanoseconds}", decodedInstants[i]);
        }
    }

    [Fact]
    public void Values_python_packs_decode_with_our_reader()
    {
        string[] expressions =
        [
            "[0, 127, 128, 255, 256, 65535, 65536, 2**32-1, 2**32, 2**63-1, 2**64-1, -1, -32, -33, -128, -129, -2**15, -2**15-1, -2**31, -2**31-1, -2**63]",
            "list(range(70000))",
            "{i: str(i) * (i % 40) for i in range(300)}",
            "[bytes(range(256)) * 300, b'', 'x' * 70000, '\\u00e9\\u65e5\\U0001F600']",
            "[ExtType(5, b'abc'), ExtType(0, b''), ExtType(127, b'x' * 16), ExtType(1, b'y' * 70000)]",
            "[Timestamp(0, 0), Timestamp(2**32, 0), Timestamp(1, 1), Timestamp(-1, 999999999), Timestamp(2**34, 5)]",
            "[float('inf'), float('-inf'), float('nan'), -0.0, 1e-320, 0.1]",
            "{'nested': [{'a': [None, True, False, [[], {}]]}]}",
        ];
        AssertOurReaderAgrees(PythonMsgpack.Run("encode", expressions));
        AssertOurReaderAgrees(PythonMsgpack.Run("encode-single", ["[1.5, 0.1, -0.0, float('inf'), 3.4e38]"]));
    }

    private static void AssertOurReaderAgrees(string[] python)
    {
        foreach (string line in python)
        {
            string[] fields = line.Split('\t');
            byte[] bytes = FromHex(fields[0]);
            Assert.Equal(fields[1], Describe(Unpack(bytes, Read)));

            var reader = new MessagePackReader(bytes);
            reader.Skip();
            Assert.True(reader.End);
        }
    }
}
