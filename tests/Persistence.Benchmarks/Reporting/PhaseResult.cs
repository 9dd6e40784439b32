namespace Persistence.Benchmarks.Reporting;

/// <summary>One workload run on one peer in its own directory: its variants, its memory, or why it failed.</summary>
internal sealed record PhaseResult(
    string WorkloadId,
    string Peer,
    IReadOnlyList<VariantResult> Variants,
    long BaselineBytes,
    long PeakBytes,
    TimeSpan Elapsed,
    string Diagnostics,
    string? Failure)
{
    /// <summary>The phase's own memory: the peak resident set minus the resident set when it started.</summary>
    public long GrowthBytes => Math.Max(0, PeakBytes - BaselineBytes);

    /// <summary>The phase's growth per document it stored (<see cref="VariantResult.DocumentsStored"/>), or null.</summary>
    public double? GrowthPerDocument =>
        Variants.FirstOrDefault(v => v.DocumentsStored > 0)?.DocumentsStored is { } stored ? (double)GrowthBytes / stored : null;
}
