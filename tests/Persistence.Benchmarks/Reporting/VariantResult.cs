namespace Persistence.Benchmarks.Reporting;

/// <summary>
/// What one peer achieved on one variant of a workload (W4 has a 1-thread and a 2-thread variant, for instance). The
/// first metric is the throughput; latency percentiles follow where they were measured.
/// </summary>
/// <param name="Id">The variant's id in RESULT lines: "W1", "W3-4w", "W4-2t".</param>
/// <param name="Metrics">Throughput first, then the other metrics by name.</param>
/// <param name="Note">Details for the human table: retries, errors, load and checkpoint times.</param>
internal sealed record VariantResult(string Id, IReadOnlyList<Metric> Metrics, string Note)
{
    /// <summary>
    /// The variant of the other peers this one is compared with when they have none of its own id: "W6" for our
    /// "W6-query" (the same query through our query builder; SQLite has one way to run it).
    /// </summary>
    public string? ComparedWith { get; init; }

    /// <summary>
    /// The documents the phase stored, warm-up included, for the write workloads that run for a fixed time (W2, W3,
    /// W9): their memory grows with what they insert, and a faster system inserts more in the same time, so their
    /// growth is also compared per document stored. Null elsewhere.
    /// </summary>
    public long? DocumentsStored { get; init; }

    /// <summary>Our own baseline measured in the same phase (the TTL workloads), or null.</summary>
    public Reference? Reference { get; init; }

    /// <summary>The target this variant is held to (the TTL workloads), or null.</summary>
    public Goal? Goal { get; init; }

    public Metric Primary => Metrics[0];

    public Metric? Find(string name) => Metrics.FirstOrDefault(m => m.Name == name);
}
