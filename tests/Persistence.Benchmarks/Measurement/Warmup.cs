using System.Diagnostics;

namespace Persistence.Benchmarks.Measurement;

/// <summary>
/// How long a thread runs its operation, unrecorded, before the timed phase: at least <paramref name="Minimum"/>, then
/// until two consecutive slices of <c>max(Minimum / 2, 100 ms)</c> complete within 10% of the same number of operations
/// (the JIT has tiered up and the caches are warm), but never longer than <paramref name="Maximum"/>. Adaptive because
/// the peers differ widely: SQLite and our engine are steady after a few hundred milliseconds, while EF Core keeps
/// getting faster for several seconds as its large code base is recompiled at tier 1, and a fixed warm-up short enough
/// for the quick mode would measure its JIT instead of EF Core.
/// </summary>
internal readonly record struct Warmup(TimeSpan Minimum, TimeSpan Maximum)
{
    private const double Tolerance = 0.10;

    /// <summary>A fixed warm-up (write workloads, whose throughput is noisy and whose code paths are short).</summary>
    public static Warmup Fixed(TimeSpan duration) => new(duration, duration);

    /// <summary>Runs <paramref name="worker"/> until warm.</summary>
    public void Run(LoopWorker worker)
    {
        var frequency = Stopwatch.Frequency;
        var slice = (long)(Math.Max(Minimum.TotalSeconds / 2, 0.1) * frequency);
        var minimum = (long)(Minimum.TotalSeconds * frequency);
        var maximum = (long)(Maximum.TotalSeconds * frequency);
        var start = Stopwatch.GetTimestamp();
        var now = start;
        long previous = -1;
        while (now - start < maximum)
        {
            var sliceEnd = Math.Min(now + slice, start + maximum);
            long operations = 0;
            while (now < sliceEnd)
            {
                worker.Execute();
                operations++;
                now = Stopwatch.GetTimestamp();
            }

            if (now - start >= minimum && previous > 0 && Math.Abs(operations - previous) <= Tolerance * previous)
            {
                return;
            }

            previous = operations;
        }
    }
}
