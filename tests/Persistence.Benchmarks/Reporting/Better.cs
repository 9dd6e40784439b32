namespace Persistence.Benchmarks.Reporting;

/// <summary>Which direction of a metric is an improvement; decides how its ratio is formed so that &gt; 1 always favours us.</summary>
internal enum Better
{
    /// <summary>Throughput: ratio = ours / peer.</summary>
    Higher,

    /// <summary>Latency, memory, disk: ratio = peer / ours.</summary>
    Lower,
}
