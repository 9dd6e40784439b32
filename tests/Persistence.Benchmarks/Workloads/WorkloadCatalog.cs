using Persistence.Benchmarks.Workloads.Ttl;

namespace Persistence.Benchmarks.Workloads;

/// <summary>
/// Every workload in run order. A new workload is one <see cref="IWorkload"/> class and one line here; variants that
/// need their own fresh store (W3's two writer counts) are separate instances of one family. The TTL workloads T1-T3
/// (<see cref="Ttl"/>) come last and run in full mode only.
/// </summary>
internal static class WorkloadCatalog
{
    public static IReadOnlyList<IWorkload> All { get; } =
    [
        new BulkLoadWorkload(),
        new InsertWorkload("W2", "W2", "durable single-document insert commits, 1 writer", writers: 1, durableEvery: 1),
        new InsertWorkload("W3-4w", "W3", "durable insert commits, 4 concurrent writers", writers: 4, durableEvery: 1),
        new InsertWorkload("W3-16w", "W3", "durable insert commits, 16 concurrent writers", writers: 16, durableEvery: 1),
        new GetByIdWorkload(),
        new GetByEmailWorkload(),
        new AgeRangeWorkload(),
        new YcsbWorkload(),
        new ScanWorkload(),
        new InsertWorkload("W9", "W9", "mixed durability: 4 writers, 1% durable + 99% buffered commits", writers: 4, durableEvery: 100),
        new ScaleWorkload(),
        new ExpiryOverheadWorkload(),
        new CollectorWorkload(),
        new HotCacheWorkload(),
    ];
}
