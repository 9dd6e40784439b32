using System.Text;

namespace Persistence.Tests.Serialization;

/// <summary>
/// Random trees of MessagePack values (in <see cref="MessagePackModel"/>'s types) for the differential and malformed
/// input tests. Sizes and values cluster at the boundaries where the specification switches format (fixint to uint8,
/// fixstr to str8, 65535 to 65536 entries, the three timestamp forms), so that a few hundred trees cross each of them.
/// </summary>
/// <remarks>
/// Every value has a Python form (<see cref="MessagePackModel.ToPython"/>): extension types are 0 to 127, map keys are
/// integers or strings and unique within their map (Python would merge equal keys), and strings are valid UTF-16.
/// </remarks>
internal static class MessagePackRandomValues
{
    private static readonly long[] s_integers =
    [
        0, 127, 128, 255, 256, 65535, 65536, uint.MaxValue, 1L << 32, long.MaxValue,
        -1, -32, -33, -128, -129, short.MinValue, short.MinValue - 1, int.MinValue, int.MinValue - 1L, long.MinValue,
    ];

    // Byte lengths of strings, binaries and extension payloads, and counts of arrays and maps.
    private static readonly int[] s_sizes = [0, 1, 2, 4, 8, 15, 16, 17, 31, 32, 255, 256];

    private static readonly long[] s_seconds =
    [
        0, 1, uint.MaxValue, 1L << 32, (1L << 34) - 1, 1L << 34, -1, -62_135_596_800, 253_402_300_799, long.MaxValue, long.MinValue,
    ];

    private static readonly string[] s_characters = ["a", "Z", "0", " ", "\0", "é", "ß", "日", "€", "\uffff", "\U0001F600", "\U0010FFFF"];

    /// <summary>A value of any family; arrays and maps nest at most <paramref name="depth"/> levels.</summary>
    public static object? Next(Random random, int depth = 3) => random.Next(depth > 0 ? 12 : 9) switch
    {
        0 => null,
        1 => random.Next(2) == 0,
        2 or 3 => NextInteger(random),
        4 => NextDouble(random),
        5 => NextString(random),
        6 => NextBytes(random, NextSize(random)),
        7 => new ExtensionValue((sbyte)random.Next(128), NextBytes(random, NextSize(random))),
        8 => NextTimestamp(random),
        9 or 10 => NextArray(random, depth - 1),
        _ => NextMap(random, depth - 1),
    };

    /// <summary>An integer at or near a format boundary (a long, or a ulong above long.MaxValue), or any 64 bits.</summary>
    public static object NextInteger(Random random)
    {
        if (random.Next(8) == 0)
        {
            return random.Next(2) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : (object)(ulong.MaxValue - (ulong)random.Next(3));
        }

        // Wrapping past long.MaxValue or long.MinValue gives the other end, another boundary.
        return unchecked(s_integers[random.Next(s_integers.Length)] + random.Next(-2, 3));
    }

    private static double NextDouble(Random random) => random.Next(6) switch
    {
        0 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
        1 => BitConverter.Int64BitsToDouble(unchecked((long)0x7ff0_0000_0000_0001UL) | random.NextInt64(0, 1L << 51)), // a NaN payload
        2 => (double)random.Next(-1000, 1000) / 4,
        3 => (float)random.NextDouble(), // also exact as a float32
        4 => random.Next(2) == 0 ? 0.0 : -0.0,
        _ => new[] { double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, double.MinValue }[random.Next(5)],
    };

    /// <summary>A string whose UTF-8 form is of a boundary size, of 1- to 4-byte characters, NUL and U+FFFF included.</summary>
    public static string NextString(Random random)
    {
        int target = NextSize(random);
        var text = new StringBuilder();
        int bytes = 0;
        while (bytes < target)
        {
            string character = s_characters[random.Next(s_characters.Length)];
            int size = Encoding.UTF8.GetByteCount(character);
            if (bytes + size > target)
            {
                character = "x";
                size = 1;
            }

            text.Append(character);
            bytes += size;
        }

        return text.ToString();
    }

    private static byte[] NextBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static TimestampValue NextTimestamp(Random random)
    {
        long seconds = random.Next(4) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : s_seconds[random.Next(s_seconds.Length)];
        uint nanoseconds = random.Next(3) switch
        {
            0 => 0,
            1 => 999_999_999,
            _ => (uint)random.Next(1_000_000_000),
        };
        return new TimestampValue(seconds, nanoseconds);
    }

    private static object?[] NextArray(Random random, int depth)
    {
        // Rarely the 16- and 32-bit counts, of small integers to keep the trees quick to exchange with Python.
        if (random.Next(60) == 0)
        {
            return Enumerable.Range(0, 65535 + random.Next(3)).Select(i => (object?)(long)(i % 100)).ToArray();
        }

        return Enumerable.Range(0, NextCount(random)).Select(_ => Next(random, depth)).ToArray();
    }

    private static MapValue NextMap(Random random, int depth)
    {
        int count = random.Next(60) == 0 ? 65535 + random.Next(3) : NextCount(random);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<KeyValuePair<object?, object?>>(count);
        while (entries.Count < count)
        {
            object key = count > 100 ? (long)entries.Count : random.Next(2) == 0 ? NextInteger(random) : NextString(random);
            if (keys.Add(MessagePackModel.Describe(key)))
            {
                entries.Add(new(key, count > 100 ? null : Next(random, depth)));
            }
        }

        return new MapValue(entries);
    }

    private static int NextSize(Random random)
    {
        if (random.Next(40) == 0)
        {
            return 65535 + random.Next(3);
        }

        int size = s_sizes[random.Next(s_sizes.Length)];
        return random.Next(3) == 0 ? Math.Max(0, size + random.Next(-1, 2)) : size;
    }

    private static int NextCount(Random random) => random.Next(4) == 0 ? 15 + random.Next(3) : random.Next(6);
}
