namespace Persistence.Benchmarks.Measurement;

/// <summary>What a <see cref="TimedLoop"/> measured: operations, wall time, and a latency histogram per category.</summary>
internal sealed class LoopResult
{
    public LoopResult(LatencyHistogram[] categories, TimeSpan elapsed, long errors, long retries, long allocatedBytes)
    {
        AllocatedBytes = allocatedBytes;
        Categories = categories;
        Elapsed = elapsed;
        Errors = errors;
        Retries = retries;
        All = new LatencyHistogram();
        foreach (var category in categories)
        {
            All.Add(category);
        }
    }

    /// <summary>From the common start to the moment the last thread finished its last operation.</summary>
    public TimeSpan Elapsed { get; }

    public LatencyHistogram[] Categories { get; }

    /// <summary>Every category merged.</summary>
    public LatencyHistogram All { get; }

    public long Errors { get; }

    /// <summary>Managed bytes the whole process allocated during the timed phase.</summary>
    public long AllocatedBytes { get; }

    public double AllocatedPerOperation => Operations == 0 ? 0 : (double)AllocatedBytes / Operations;

    public long Retries { get; }

    public long Operations => All.Count;

    public double PerSecond => Operations / Elapsed.TotalSeconds;

    public double PerSecondOf(int category) => Categories[category].Count / Elapsed.TotalSeconds;
}
