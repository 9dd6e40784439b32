using System.Diagnostics;

namespace Persistence.Benchmarks.Measurement;

/// <summary>
/// Runs <see cref="LoopWorker"/>s on dedicated threads: each creates its worker, warms up on its own (see
/// <see cref="Warmup"/>; nothing recorded), then all start the timed phase together and run until a common deadline, timing every
/// operation with <see cref="Stopwatch.GetTimestamp"/>, and counts the managed bytes allocated meanwhile (by every
/// thread of the process, so background work of a peer is included). Throughput is operations over the wall time from the common
/// start until the last thread's last operation returned, so a writer stuck past the deadline (SQLite's busy waits)
/// stretches the elapsed time instead of being cut off.
/// </summary>
internal static class TimedLoop
{
    public static LoopResult Run(int threads, int categories, Warmup warmup, TimeSpan duration, Func<int, LoopWorker> createWorker)
    {
        var histograms = new LatencyHistogram[threads][];
        var ends = new long[threads];
        var errors = new long[threads];
        var retries = new long[threads];
        var failures = new Exception?[threads];
        long start = 0, deadline = 0, allocatedAtStart = 0;
        var durationTicks = (long)(duration.TotalSeconds * Stopwatch.Frequency);
        using var ready = new Barrier(threads, _ =>
        {
            allocatedAtStart = GC.GetTotalAllocatedBytes(precise: false);
            start = Stopwatch.GetTimestamp();
            deadline = start + durationTicks;
        });
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var index = t;
            workers[t] = new Thread(() =>
            {
                var mine = new LatencyHistogram[categories];
                for (var c = 0; c < categories; c++)
                {
                    mine[c] = new LatencyHistogram();
                }

                histograms[index] = mine;
                LoopWorker? worker = null;
                var joined = false;
                try
                {
                    worker = createWorker(index);
                    warmup.Run(worker);

                    var warmupErrors = worker.Errors;
                    var warmupRetries = worker.Retries;
                    joined = true;
                    ready.SignalAndWait();
                    long now;
                    do
                    {
                        var before = Stopwatch.GetTimestamp();
                        var category = worker.Execute();
                        now = Stopwatch.GetTimestamp();
                        mine[category].Record(now - before);
                    }
                    while (now < Volatile.Read(ref deadline));

                    ends[index] = now;
                    errors[index] = worker.Errors - warmupErrors;
                    retries[index] = worker.Retries - warmupRetries;
                }
                catch (Exception ex)
                {
                    failures[index] = ex;
                    if (!joined)
                    {
                        ready.RemoveParticipant();
                    }
                }
                finally
                {
                    worker?.Dispose();
                }
            })
            {
                IsBackground = true,
                Name = $"bench-{index}",
            };
            workers[t].Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        var failed = failures.Where(f => f is not null).Select(f => f!).ToList();
        if (failed.Count > 0)
        {
            throw new AggregateException("A benchmark thread failed.", failed);
        }

        var merged = new LatencyHistogram[categories];
        for (var c = 0; c < categories; c++)
        {
            merged[c] = new LatencyHistogram();
            foreach (var perThread in histograms)
            {
                merged[c].Add(perThread[c]);
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(start, ends.Max());
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedAtStart;
        return new LoopResult(merged, elapsed, errors.Sum(), retries.Sum(), allocated);
    }
}
