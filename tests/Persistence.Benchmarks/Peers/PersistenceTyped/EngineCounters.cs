using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Peers.PersistenceTyped;

/// <summary>Our engine's counters as one line of the report, for both of our peers (typed and key-value).</summary>
internal static class EngineCounters
{
    public static string Describe(Database database)
    {
        var s = database.GetStatistics();
        return $"commits {s.Commits}, conflicts {s.WriteConflicts}, WAL batches {s.WalBatches} (avg {Num.Fixed(s.AverageBatchSize, 2)} commits), " +
            $"syncs {s.WalSyncs}, checkpoints {s.Checkpoints} (last {Num.Fixed(s.LastCheckpointDuration.TotalMilliseconds, 0)} ms), " +
            $"file {Num.MiB(s.FileBytes)} MiB, WAL on disk {Num.MiB(s.WalDiskBytes)} MiB, cache {s.CachedPages}/{s.CacheCapacityPages} pages, hit ratio {Num.Fixed(s.CacheHitRatio, 4)}";
    }
}
