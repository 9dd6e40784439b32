using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads;

/// <summary>
/// The shape of W4-W8: preload N users (untimed, then checkpointed), then for each thread count warm up and run the
/// operation on every thread, each with its own session and its own seeded random source, for the read duration.
/// </summary>
internal abstract class ReadWorkload : IWorkload
{
    public abstract string Id { get; }

    public string Family => Id;

    public abstract string Title { get; }

    public SyncProfile Profile => SyncProfile.Normal;

    public bool ExplicitOnly => false;

    /// <summary>Thread counts to measure; a variant per count when there are several ("W4-1t", "W4-2t").</summary>
    protected virtual IReadOnlyList<int> Threads => [1];

    protected abstract string Unit { get; }

    /// <summary>How long each measurement runs.</summary>
    protected virtual TimeSpan Duration(WorkloadContext context) => context.Settings.ReadDuration;

    public IReadOnlyList<VariantResult> Run(IPeer peer, WorkloadContext context)
    {
        var documents = context.Preload(peer);
        var variants = new List<VariantResult>();
        foreach (var variant in Variants(peer))
        {
            var threads = variant.Threads;
            var warmup = context.Settings.ReadWarmup(jitCold: peer.NeedsLongWarmup && variants.Count == 0);
            var result = TimedLoop.Run(threads, Categories, warmup, Duration(context), thread =>
            {
                var random = new SplitMix64(context.Settings.Seed ^ (ulong)(1000 * threads + thread) ^ (ulong)Id.GetHashCode(StringComparison.Ordinal));
                return new SessionWorker(peer.OpenSession(), CreateOperation(context, documents, random, variant));
            });
            var metrics = new List<Metric> { Metric.Rate(result.PerSecond, Unit) };
            metrics.AddRange(LatencyMetrics.Of(result.All));
            variants.Add(new VariantResult(variant.Id, metrics, Describe(result)) { ComparedWith = variant.ComparedWith });
        }

        return variants;
    }

    /// <summary>The measurements of this workload on <paramref name="peer"/>: by default one per thread count.</summary>
    protected virtual IReadOnlyList<ReadVariant> Variants(IPeer peer) =>
        Threads.Count > 1 ? [.. Threads.Select(t => new ReadVariant($"{Id}-{t}t", t))] : [new ReadVariant(Id, Threads[0])];

    /// <summary>Latency categories the operation returns (W7 separates reads from updates).</summary>
    protected virtual int Categories => 1;

    /// <summary>
    /// The operation one thread runs: it returns its category, or -1 for a wrong answer. Called on the worker's
    /// thread, with that thread's random source to capture.
    /// </summary>
    protected abstract Func<IPeerSession, int> CreateOperation(WorkloadContext context, long documents, SplitMix64 random, ReadVariant variant);

    protected virtual string Describe(LoopResult result) => LatencyMetrics.Counters(result);

    /// <summary>One measurement of a read workload.</summary>
    /// <param name="Id">The variant's id in the report ("W4-2t").</param>
    /// <param name="Threads">Threads running the operation.</param>
    /// <param name="Api">Which of the peer's ways to run the operation (0: its primary one).</param>
    /// <param name="ComparedWith">The other peers' variant to compare with when they have none of this id.</param>
    protected readonly record struct ReadVariant(string Id, int Threads, int Api = 0, string? ComparedWith = null);
}
