using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads;

/// <summary>
/// W10: W1 and W4 at the scale size (10M users in full mode, about 5x the 256 MiB cache every peer is held to), in one
/// directory: the timed load, then random gets on 1 and 2 threads. Variants "W10-W1", "W10-W4-1t", "W10-W4-2t"; the
/// report compares them with W1 and W4 when those ran too. Runs only when named on the command line, and EF Core sits
/// it out (its W1 would take minutes and gigabytes of tracked entities at this size).
/// </summary>
internal sealed class ScaleWorkload : IWorkload
{
    public string Id => "W10";

    public string Family => "W10";

    public string Title => "scale: W1 and W4 at 10M documents, caches at 256 MiB";

    public SyncProfile Profile => SyncProfile.Normal;

    public bool ExplicitOnly => true;

    /// <summary>As W1's warm-up (<see cref="BulkLoadWorkload.WarmupDocuments"/>).</summary>
    public long WarmupDocuments(WorkloadContext context) => Math.Min(context.Settings.Documents / 5, 200_000);

    public IReadOnlyList<VariantResult> Run(IPeer peer, WorkloadContext context)
    {
        var documents = context.Settings.ScaleDocuments;
        var variants = new List<VariantResult> { BulkLoadWorkload.Measure(peer, context, "W10-W1", documents) };
        foreach (var threads in new[] { 1, 2 })
        {
            var result = TimedLoop.Run(threads, 1, context.Settings.ReadWarmup(jitCold: peer.NeedsLongWarmup && variants.Count == 1), context.Settings.ReadDuration, thread =>
            {
                var random = new SplitMix64(context.Settings.Seed ^ (ulong)(7919 * (threads + 1)) ^ (ulong)thread);
                return new SessionWorker(peer.OpenSession(), session =>
                {
                    var id = 1 + random.NextLong(documents);
                    return session.Get(id)?.Id == id ? 0 : -1;
                });
            });
            var metrics = new List<Metric> { Metric.Rate(result.PerSecond, "ops/s") };
            metrics.AddRange(LatencyMetrics.Of(result.All));
            variants.Add(new VariantResult($"W10-W4-{threads}t", metrics, LatencyMetrics.Counters(result)));
        }

        return variants;
    }
}
