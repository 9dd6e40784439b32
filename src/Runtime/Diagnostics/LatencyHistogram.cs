using System.Runtime.CompilerServices;
using System.Diagnostics;

namespace Persistence.Diagnostics;

/// <summary>
/// A lock-free latency histogram with logarithmic buckets (eight per power of two, so a percentile is within about
/// 9% of the true value) from one microsecond to about an hour. Recording is one interlocked increment.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBuckets = 8;
    private const int Buckets = 32 * SubBuckets;
    private readonly long[] _counts = new long[Buckets];
    private long _max;

    public long Count
    {
        get
        {
            long total = 0;
            foreach (var c in _counts)
            {
                total += Volatile.Read(ref Unsafe.AsRef(in c));
            }

            return total;
        }
    }

    public TimeSpan Max => TimeSpan.FromTicks(Volatile.Read(ref _max));

    /// <summary>Records the time since <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void RecordSince(long startTimestamp) => Record(Stopwatch.GetElapsedTime(startTimestamp));

    public void Record(TimeSpan elapsed)
    {
        var ticks = Math.Max(1, elapsed.Ticks);
        Interlocked.Increment(ref _counts[BucketOf(ticks)]);
        var max = Volatile.Read(ref _max);
        while (ticks > max && Interlocked.CompareExchange(ref _max, ticks, max) != max)
        {
            max = Volatile.Read(ref _max);
        }
    }

    /// <summary>The latency below which <paramref name="fraction"/> of the recorded ones fall (the bucket's upper edge).</summary>
    public TimeSpan Percentile(double fraction)
    {
        var counts = _counts.Select(c => Volatile.Read(ref Unsafe.AsRef(in c))).ToArray();
        var total = counts.Sum();
        if (total == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (long)Math.Ceiling(fraction * total);
        long seen = 0;
        for (var b = 0; b < Buckets; b++)
        {
            seen += counts[b];
            if (seen >= rank)
            {
                return TimeSpan.FromTicks(Math.Min(UpperEdge(b), Max.Ticks));
            }
        }

        return Max;
    }

    // Buckets are in units of 100 ns ticks scaled to microseconds: bucket = 8·log2(µs) + sub-bucket.
    private static int BucketOf(long ticks)
    {
        var micros = Math.Max(1.0, ticks / 10.0);
        return Math.Clamp((int)(Math.Log2(micros) * SubBuckets), 0, Buckets - 1);
    }

    private static long UpperEdge(int bucket) => (long)(Math.Pow(2, (bucket + 1) / (double)SubBuckets) * 10);
}
