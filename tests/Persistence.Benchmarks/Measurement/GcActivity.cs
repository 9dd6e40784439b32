using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Measurement;

/// <summary>Garbage collections of the whole process over a stretch of time: counts per generation and the total pause.</summary>
internal readonly record struct GcActivity(int Gen0, int Gen1, int Gen2, TimeSpan Pause)
{
    /// <summary>The process's totals so far; subtract two of them for a stretch.</summary>
    public static GcActivity Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    public static GcActivity operator -(GcActivity after, GcActivity before) =>
        new(after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2, after.Pause - before.Pause);

    public static GcActivity operator +(GcActivity a, GcActivity b) => new(a.Gen0 + b.Gen0, a.Gen1 + b.Gen1, a.Gen2 + b.Gen2, a.Pause + b.Pause);

    public override string ToString() =>
        $"GC {Gen0} gen0 / {Gen1} gen1 / {Gen2} gen2 collections, {Num.Fixed(Pause.TotalMilliseconds, 0)} ms paused";
}
