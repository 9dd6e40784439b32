using System.Diagnostics;
using System.Numerics;

namespace Persistence.Benchmarks.Measurement;

/// <summary>
/// A fixed-size, HDR-style log-linear histogram of durations in <see cref="Stopwatch"/> ticks: values below 128 are
/// exact; above, each power of two is split into 64 buckets, so a reported percentile is within 1/128 (0.8%) of the
/// true value. The maximum is kept exactly. Recording is a few instructions and never allocates, so a timed loop can
/// record every operation; one histogram per thread, merged with <see cref="Add"/> after the threads have stopped.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;                 // 64 buckets per power of two
    private const int Exact = 2 << SubBucketBits;        // 0..127 recorded exactly
    private const int BucketCount = Exact + ((64 - SubBucketBits - 1) << SubBucketBits);

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>The number of recorded values.</summary>
    public long Count { get; private set; }

    /// <summary>The largest recorded value, in ticks.</summary>
    public long MaxTicks { get; private set; }

    public void Record(long ticks)
    {
        if (ticks < 0)
        {
            ticks = 0;
        }

        _counts[IndexOf(ticks)]++;
        Count++;
        if (ticks > MaxTicks)
        {
            MaxTicks = ticks;
        }
    }

    /// <summary>Adds every value recorded by <paramref name="other"/>.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        MaxTicks = Math.Max(MaxTicks, other.MaxTicks);
    }

    /// <summary>The value at quantile <paramref name="quantile"/> (0.5 for the median), in microseconds; 0 when empty.</summary>
    public double PercentileMicros(double quantile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return ToMicros(Math.Min(MidpointOf(i), MaxTicks));
            }
        }

        return MaxMicros;
    }

    /// <summary>The largest recorded value, in microseconds.</summary>
    public double MaxMicros => ToMicros(MaxTicks);

    /// <summary>Converts Stopwatch ticks to microseconds.</summary>
    public static double ToMicros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    private static int IndexOf(long value)
    {
        if (value < Exact)
        {
            return (int)value;
        }

        var shift = BitOperations.Log2((ulong)value) - SubBucketBits;       // ≥ 1
        var sub = (int)(value >> shift) - (1 << SubBucketBits);               // 0..63
        return Exact + ((shift - 1) << SubBucketBits) + sub;
    }

    private static long MidpointOf(int index)
    {
        if (index < Exact)
        {
            return index;
        }

        var shift = ((index - Exact) >> SubBucketBits) + 1;
        var sub = ((index - Exact) & ((1 << SubBucketBits) - 1)) + (1 << SubBucketBits);
        var low = (long)sub << shift;
        return low + ((1L << shift) >> 1);
    }
}
