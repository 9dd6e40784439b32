using System.Diagnostics;

namespace Persistence.Benchmarks.Measurement;

/// <summary>
/// Runs a <see cref="LoopWorker"/> on a dedicated thread for exactly as long as a foreground task runs on the calling
/// thread (T2: point gets while the collector works), timing every operation of the loop as <see cref="TimedLoop"/>
/// does. The worker must be warm: nothing here is a warm-up.
/// </summary>
internal static class Race
{
    public static RaceResult<T> Run<T>(LoopWorker worker, Func<T> foreground)
    {
        var histogram = new LatencyHistogram();
        using var started = new ManualResetEventSlim();
        var done = 0;
        long loopStart = 0, loopEnd = 0, errorsBefore = worker.Errors;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                loopStart = Stopwatch.GetTimestamp();
                started.Set();
                long now;
                do
                {
                    var before = Stopwatch.GetTimestamp();
                    worker.Execute();
                    now = Stopwatch.GetTimestamp();
                    histogram.Record(now - before);
                }
                while (Volatile.Read(ref done) == 0);

                loopEnd = now;
            }
            catch (Exception ex)
            {
                failure = ex;
                started.Set();
            }
        })
        {
            IsBackground = true,
            Name = "bench-race",
        };

        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        var gc = GcActivity.Now();
        thread.Start();
        started.Wait();
        var clock = Stopwatch.StartNew();
        T result;
        try
        {
            result = foreground();
        }
        finally
        {
            clock.Stop();
            Volatile.Write(ref done, 1);
            thread.Join();
        }

        if (failure is not null)
        {
            throw new InvalidOperationException("The loop beside the foreground task failed.", failure);
        }

        var loop = new LoopResult([histogram], Stopwatch.GetElapsedTime(loopStart, loopEnd), worker.Errors - errorsBefore, 0,
            GC.GetTotalAllocatedBytes(precise: false) - allocated);
        return new RaceResult<T>(result, clock.Elapsed, loop, GcActivity.Now() - gc);
    }
}
