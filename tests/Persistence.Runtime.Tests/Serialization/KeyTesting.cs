using System.Globalization;
using Persistence.Serialization;

namespace Persistence.Tests.Serialization;

/// <summary>Encoding helpers and the seeded randomness of the key-ordering property tests.</summary>
internal static class KeyTesting
{
    public delegate void KeyWrite(ref KeyWriter writer);

    public delegate T KeyRead<out T>(ref KeyReader reader);

    public delegate void PartWrite<in T>(ref KeyWriter writer, T value, bool descending);

    public delegate T PartRead<out T>(ref KeyReader reader, bool descending);

    /// <summary>
    /// The seed of this test run: PERSISTENCE_TEST_SEED when set (to reproduce a failure), otherwise a fresh one.
    /// Every property assertion prints it.
    /// </summary>
    public static int Seed { get; } = Environment.GetEnvironmentVariable("PERSISTENCE_TEST_SEED") is { Length: > 0 } text
        ? int.Parse(text, CultureInfo.InvariantCulture)
        : Random.Shared.Next();

    public static string SeedNote => $"(seed {Seed}; rerun with PERSISTENCE_TEST_SEED={Seed})";

    /// <summary>Encodes through a writer whose initial buffer is tiny, so the pooled growth path runs too.</summary>
    public static byte[] Encode(KeyWrite write)
    {
        var writer = new KeyWriter(stackalloc byte[8]);
        try
        {
            write(ref writer);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    public static byte[] Encode<T>(PartWrite<T> write, T value, bool descending = false) =>
        Encode((ref KeyWriter w) => write(ref w, value, descending));

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static string EncodeHex(KeyWrite write) => Hex(Encode(write));

    /// <summary>Decodes one part and asserts the key was consumed entirely.</summary>
    public static T Decode<T>(byte[] key, KeyRead<T> read)
    {
        var reader = new KeyReader(key);
        T value = read(ref reader);
        Assert.True(reader.End, $"{key.Length - reader.Position} bytes left unread in {Hex(key)}");
        return value;
    }

    public static PersistenceSerializationException AssertMalformed<T>(byte[] key, KeyRead<T> read)
    {
        var exception = Assert.Throws<PersistenceSerializationException>(() =>
        {
            var reader = new KeyReader(key);
            read(ref reader);
        });
        Assert.Equal(ErrorCode.SerializationError, exception.Code);
        Assert.StartsWith("Expected ", exception.Message, StringComparison.Ordinal);
        Assert.Contains("at byte offset", exception.Message, StringComparison.Ordinal);
        return exception;
    }

    public static int CompareKeys(byte[] a, byte[] b) => Math.Sign(a.AsSpan().SequenceCompareTo(b));

    /// <summary>Code units as hex, so that lone surrogates and NULs are visible in failure messages.</summary>
    public static string Show(string? value) =>
        value is null ? "null" : "\"" + string.Join(" ", value.Select(c => ((int)c).ToString("x4", CultureInfo.InvariantCulture))) + "\"";

    public static string Show(double value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value:R} (0x{BitConverter.DoubleToInt64Bits(value):x16})");

    /// <summary>The value with trailing zeros removed from the significand (1.00m becomes 1m; -0m becomes 0m).</summary>
    public static decimal Normalize(decimal value)
    {
        int[] bits = decimal.GetBits(value);
        UInt128 significand = ((UInt128)(uint)bits[2] << 64) | ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        if (significand == 0)
        {
            return 0m;
        }

        int scale = (bits[3] >> 16) & 0xFF;
        while (scale > 0 && significand % 10 == 0)
        {
            significand /= 10;
            scale--;
        }

        return new decimal((int)(uint)significand, (int)(uint)(significand >> 32), (int)(uint)(significand >> 64), bits[3] < 0, (byte)scale);
    }

    public static bool SameDecimal(decimal a, decimal b) => decimal.GetBits(a).SequenceEqual(decimal.GetBits(b));
}
