namespace Persistence.Tests.Serialization;

/// <summary>
/// Random values for the key property tests, biased towards collisions, neighbours and boundaries (where order bugs
/// live), plus the hand-picked edge cases of each type.
/// </summary>
internal static class KeyValueGenerators
{
    public static readonly string[] StringAtoms =
    [
        "\0", "a", "b", "z", "\u007f", "\u0080", "\u00e9", "\u07ff", "\u0800", "\ud7ff", "\ud800", "\udbff", "\udc00",
        "\udfff", "\ue000", "\uffff", "\U00010000", "\U0010ffff", "\U0001F600", "\0\0",
    ];

    public static readonly double[] DoubleEdges =
    [
        double.NaN, -double.NaN, BitConverter.Int64BitsToDouble(0x7ff0_0000_0000_0001), BitConverter.Int64BitsToDouble(unchecked((long)0xfff0_0000_dead_beef)),
        double.NegativeInfinity, double.MinValue, -1.0, -double.Epsilon, -0.0, 0.0, double.Epsilon,
        BitConverter.Int64BitsToDouble(0x000f_ffff_ffff_ffff), 2.2250738585072014E-308, 1.0, Math.BitIncrement(1.0),
        double.MaxValue, double.PositiveInfinity,
    ];

    public static readonly float[] SingleEdges =
    [
        float.NaN, -float.NaN, BitConverter.Int32BitsToSingle(0x7f80_0001), float.NegativeInfinity, float.MinValue, -1.0f,
        -float.Epsilon, -0.0f, 0.0f, float.Epsilon, BitConverter.Int32BitsToSingle(0x007f_ffff), 1.0f, float.MaxValue,
        float.PositiveInfinity,
    ];

    public static readonly decimal[] DecimalEdges =
    [
        decimal.MinValue, -79228162514264337593543950334m, -1.5m, -1.50m, -1m, -1.0m, -0.0000000000000000000000000001m,
        -0m, 0m, 0.000m, 0.0000000000000000000000000001m, 0.0000000000000000000000000010m, 0.1m, 0.10m, 0.5m, 0.51m,
        1m, 1.0m, 1.00m, 1.0000000000000000000000000000m, 10m, 10.0m, 100m, 12m, 120m, 1.2m, 123456789012345678901234567.8m,
        7922816251426433759354395033.5m, 79228162514264337593543950334m, decimal.MaxValue,
    ];

    /// <summary>Small values, full-width ones, the extremes, and values of every byte length (integer keys vary in length).</summary>
    public static long RandomInt64(Random r) => r.Next(5) switch
    {
        0 => r.NextInt64(-3, 4),
        1 => r.NextInt64(long.MinValue, long.MaxValue),
        2 => long.MinValue + r.Next(3),
        3 => r.NextInt64(long.MinValue, long.MaxValue) >> r.Next(64),
        _ => long.MaxValue - r.Next(3),
    };

    /// <summary>Where a variable-length integer key changes length: ±256^k and one either side, k = 1..7.</summary>
    public static long[] LengthEdges { get; } =
        [.. Enumerable.Range(1, 7).Select(k => 1L << (8 * k)).SelectMany(p => new[] { p - 1, p, p + 1, -p - 1, -p, -p + 1 })];

    public static double RandomDouble(Random r) => r.Next(5) switch
    {
        0 => BitConverter.Int64BitsToDouble(r.NextInt64(long.MinValue, long.MaxValue)),
        1 => r.Next(-5, 6) / 2.0,
        2 => DoubleEdges[r.Next(DoubleEdges.Length)],
        3 => (r.NextDouble() - 0.5) * Math.Pow(10, r.Next(-310, 310)),
        _ => BitConverter.Int64BitsToDouble(r.NextInt64(0, 1L << 52)) * (r.Next(2) == 0 ? -1 : 1),
    };

    public static float RandomSingle(Random r) => r.Next(4) switch
    {
        0 => BitConverter.Int32BitsToSingle(r.Next(int.MinValue, int.MaxValue)),
        1 => r.Next(-5, 6) / 2.0f,
        2 => SingleEdges[r.Next(SingleEdges.Length)],
        _ => BitConverter.Int32BitsToSingle(r.Next(0, 1 << 23)) * (r.Next(2) == 0 ? -1 : 1),
    };

    public static decimal RandomDecimal(Random r)
    {
        switch (r.Next(4))
        {
            case 0:
                return new decimal(r.Next(int.MinValue, int.MaxValue), r.Next(int.MinValue, int.MaxValue),
                    r.Next(int.MinValue, int.MaxValue), r.Next(2) == 0, (byte)r.Next(29));
            case 1:
                // Small values at several scales: many pairs are equal with different scales.
                int n = r.Next(-20, 21);
                int k = r.Next(0, 7);
                return new decimal(Math.Abs(n) * (int)Math.Pow(10, k), 0, 0, n < 0, (byte)(k + r.Next(2)));
            case 2:
                return DecimalEdges[r.Next(DecimalEdges.Length)];
            default:
                int bits = r.Next(97);
                UInt128 significand = new UInt128((ulong)r.NextInt64(long.MinValue, long.MaxValue), (ulong)r.NextInt64(long.MinValue, long.MaxValue))
                    & ((UInt128.One << bits) - 1) & ((UInt128.One << 96) - 1);
                return new decimal((int)(uint)significand, (int)(uint)(significand >> 32), (int)(uint)(significand >> 64),
                    r.Next(2) == 0, (byte)r.Next(29));
        }
    }

    public static string RandomString(Random r)
    {
        int length = r.Next(6);
        var builder = new System.Text.StringBuilder();
        for (int i = 0; i < length; i++)
        {
            builder.Append(r.Next(8) == 0 ? ((char)r.Next(65536)).ToString() : StringAtoms[r.Next(StringAtoms.Length)]);
        }

        return builder.ToString();
    }

    public static byte[] RandomBytes(Random r)
    {
        byte[] atoms = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
        return Enumerable.Range(0, r.Next(6)).Select(_ => atoms[r.Next(atoms.Length)]).ToArray();
    }

    public static System.DateTime RandomDateTime(Random r)
    {
        long[] ticks = [0, 1, System.DateTime.UnixEpoch.Ticks, System.DateTime.MaxValue.Ticks];
        long value = r.Next(2) == 0 ? r.NextInt64(0, System.DateTime.MaxValue.Ticks + 1) : ticks[r.Next(ticks.Length)];
        return new System.DateTime(value, (DateTimeKind)r.Next(3));
    }

    public static System.DateTimeOffset RandomDateTimeOffset(Random r)
    {
        long margin = 14 * System.TimeSpan.TicksPerHour;
        long[] instants = [margin, System.DateTime.UnixEpoch.Ticks, System.DateTime.MaxValue.Ticks - margin];
        long utc = r.Next(2) == 0 ? r.NextInt64(margin, System.DateTime.MaxValue.Ticks - margin) : instants[r.Next(instants.Length)];
        int[] offsets = [-840, -60, -1, 0, 1, 330, 840];
        int minutes = r.Next(2) == 0 ? r.Next(-840, 841) : offsets[r.Next(offsets.Length)];
        var offset = System.TimeSpan.FromMinutes(minutes);
        return new System.DateTimeOffset(utc + offset.Ticks, offset);
    }

    public static System.Guid RandomGuid(Random r)
    {
        byte[] bytes = new byte[16];
        r.NextBytes(bytes);
        if (r.Next(2) == 0)
        {
            bytes.AsSpan(0, r.Next(17)).Fill(0x5a); // shared prefixes, so later fields decide
        }

        return new System.Guid(bytes);
    }
}
