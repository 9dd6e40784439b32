namespace Persistence.Benchmarks.Data;

/// <summary>
/// YCSB's scrambled zipfian request distribution: ranks follow Zipf's law with exponent theta (Gray et al., "Quickly
/// generating billion-record synthetic databases", as in YCSB's ZipfianGenerator), and each rank is hashed (FNV-1a) onto
/// the item space so that the popular items are spread over the key range instead of clustered at its start.
/// </summary>
internal sealed class ScrambledZipfian
{
    private readonly long _items;
    private readonly double _zetaN;
    private readonly double _alpha;
    private readonly double _eta;
    private readonly double _halfPowTheta;

    /// <summary>Precomputes zeta(n, theta): O(n) once (about 10 ms per million items).</summary>
    public ScrambledZipfian(long items, double theta = 0.99)
    {
        _items = items;
        double zeta = 0;
        for (long i = 1; i <= items; i++)
        {
            zeta += 1 / Math.Pow(i, theta);
        }

        _zetaN = zeta;
        var zeta2 = 1 + (1 / Math.Pow(2, theta));
        _alpha = 1 / (1 - theta);
        _eta = (1 - Math.Pow(2.0 / items, 1 - theta)) / (1 - (zeta2 / _zetaN));
        _halfPowTheta = 1 + Math.Pow(0.5, theta);
    }

    /// <summary>An item in [0, items).</summary>
    public long Next(ref SplitMix64 random)
    {
        var u = random.NextDouble();
        var uz = u * _zetaN;
        long rank = uz < 1 ? 0
            : uz < _halfPowTheta ? 1
            : (long)(_items * Math.Pow((_eta * u) - _eta + 1, _alpha));
        return (long)(Fnv1a((ulong)Math.Min(rank, _items - 1)) % (ulong)_items);
    }

    /// <summary>The size of the item space.</summary>
    public long Items => _items;

    private static ulong Fnv1a(ulong value)
    {
        var hash = 0xCBF2_9CE4_8422_2325UL;
        for (var i = 0; i < 8; i++)
        {
            hash ^= value & 0xFF;
            hash *= 0x0000_0100_0000_01B3UL;
            value >>= 8;
        }

        return hash;
    }
}
