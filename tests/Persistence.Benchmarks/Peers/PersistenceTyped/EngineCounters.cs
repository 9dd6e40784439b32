using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Peers.PersistenceTyped;

/// <summary>
/// Our engine's counters as one line of the report, for both of our peers (typed and key-value), with the managed heap
/// at the end of the phase before and after a full blocking collection (the database still open): what the phase's
/// peak memory was made of, live data or garbage the collector had not yet reclaimed.
/// </summary>
internal static class EngineCounters
{
    public static string Describe(Database database)
    {
        var s = database.GetStatistics();
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        var live = GC.GetTotalMemory(forceFullCollection: true);
        return $"commits {s.Commits}, conflicts {s.WriteConflicts}, WAL batches {s.WalBatches} (avg {Num.Fixed(s.AverageBatchSize, 2)} commits), " +
            $"syncs {s.WalSyncs}, checkpoints {s.Checkpoints} (last {Num.Fixed(s.LastCheckpointDuration.TotalMilliseconds, 0)} ms), pages spilled {s.SpilledPages}, " +
            $"file {Num.MiB(s.FileBytes)} MiB, WAL on disk {Num.MiB(s.WalDiskBytes)} MiB, cache {s.CachedPages}/{s.CacheCapacityPages} pages, hit ratio {Num.Fixed(s.CacheHitRatio, 4)}, " +
            $"page buffers reused {database.Source.Pages.Reused}, allocated {database.Source.Pages.Allocated}, pooled {database.Source.Pages.Count} (dropped {database.Source.Pages.Dropped}); dirty pages {s.DirtyPagesEstimate}; " +
            (s.HotCacheHits + s.HotCacheMisses > 0 ? $"hot cache {s.HotCacheHits} hits, {s.HotCacheMisses} misses; " : "") +
            (s.ExpiredCollected > 0 ? $"expired documents collected {s.ExpiredCollected}; " : "") +
            $"managed heap {Num.MiB(heap)} MiB, {Num.MiB(live)} MiB live after a full GC";
    }
}
