using Persistence.Diagnostics;

namespace Persistence;

public sealed partial class Database
{
    /// <summary>
    /// Writes every committed change to the data file and switches the meta page, so that the log before it can be
    /// recycled and a reopen replays nothing. Runs by itself in the background; call it to force one now.
    /// Returns false when there was nothing to checkpoint (and always for in-memory databases).
    /// </summary>
    public bool Checkpoint()
    {
        ThrowIfDisposed();
        return _checkpointer?.Run() ?? false;
    }

    /// <summary>Asynchronous form of <see cref="Checkpoint"/>; the work runs on the thread pool.</summary>
    public Task<bool> CheckpointAsync(CancellationToken cancellationToken = default) =>
        Task.Run(Checkpoint, cancellationToken);

    /// <summary>
    /// Verifies the database: on disk, every page of the durable checkpoint is reachable exactly once or marked free,
    /// every checksum is valid, keys are ordered and within their parents' bounds, and key counts match the catalog;
    /// in memory, the newest version's keys are ordered and counted correctly. Reads everything: use in tests and
    /// maintenance windows.
    /// </summary>
    public ConsistencyReport CheckConsistency()
    {
        ThrowIfDisposed();
        var report = ConsistencyChecker.Check(this);
        LastConsistencyReport = report;
        return report;
    }

    /// <summary>
    /// Removes every expired document now (expired documents are already invisible; this reclaims their space), and
    /// writes the expiries that reads extended in sliding-expiration collections. The database runs this on its own
    /// every <see cref="TtlOptions.CollectorInterval"/> unless <see cref="TtlOptions.RunCollectorInBackground"/> is
    /// false, in which case a host calls it. Returns the number of documents removed.
    /// </summary>
    /// <remarks>
    /// The close (<see cref="Dispose"/>, <see cref="DisposeAsync"/>) waits for a pass under way, which then stops at its
    /// next batch or pause and fails with <see cref="ErrorCode.DatabaseClosed"/>. Code the pass runs (a document's, a
    /// logger's) may dispose this database, or run another database's pass that does: the disposal returns at once and
    /// the close ends after the pass. If that code waits on something the disposing thread holds, the pass cannot stop:
    /// the close goes on without it after 30 seconds on the database's clock (logged, event 19), and the pass fails with
    /// DatabaseClosed once it resumes.
    /// </remarks>
    public async Task<int> CollectExpiredAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed(); // in the task, as every failure of the async API but an argument's
        return await Ttl.CollectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The outcome of the last <see cref="CheckConsistency"/> since open (the health check reports a failed one); null before the first.</summary>
    internal ConsistencyReport? LastConsistencyReport { get; private set; }

    /// <summary>Counters and gauges for monitoring.</summary>
    public DatabaseStatistics GetStatistics()
    {
        ThrowIfDisposed();
        var (oldest, pinnedPages) = _chain.OldestPinned();
        var cache = _store?.Cache;
        var wal = Wal;
        var lookups = cache?.Lookups ?? 0;
        var (hotHits, hotMisses) = HotCacheCounters();
        return new DatabaseStatistics
        {
            HotCacheHits = hotHits,
            HotCacheMisses = hotMisses,
            ExpiredCollected = Ttl.Collected,
            Version = _chain.Visible.Number,
            Commits = Sequencer.Commits,
            WriteConflicts = Sequencer.Conflicts,
            CommitLatencyP50 = Sequencer.CommitLatency.Percentile(0.50),
            CommitLatencyP99 = Sequencer.CommitLatency.Percentile(0.99),
            CommitLatencyP999 = Sequencer.CommitLatency.Percentile(0.999),
            CommitLatencyMax = Sequencer.CommitLatency.Max,
            WalBatches = wal?.Batches ?? 0,
            WalSyncs = wal?.Syncs ?? 0,
            AverageBatchSize = wal is { Batches: > 0 } ? (double)Sequencer.Commits / wal.Batches : 0,
            WalBytesSinceCheckpoint = wal is null ? 0 : wal.NextLsn - _checkpointer!.Durable.WalStartLsn,
            WalDiskBytes = _walSegments?.DiskBytes ?? 0,
            Checkpoints = _checkpointer?.Completed ?? 0,
            LastCheckpointDuration = _checkpointer?.LastDuration ?? TimeSpan.Zero,
            SpilledPages = _checkpointer?.PagesSpilled ?? 0,
            FileBytes = _store?.FileLength ?? 0,
            FilePages = _freeSpace?.PageCount ?? 0,
            ReusablePages = _freeSpace?.ReusablePages ?? 0,
            CachedPages = cache?.Count ?? 0,
            CacheCapacityPages = cache?.Capacity ?? 0,
            CacheHitRatio = lookups > 0 ? Math.Clamp(1 - ((double)cache!.Misses / lookups), 0, 1) : 1,
            DirtyPagesEstimate = Sequencer.DirtyNodes,
            ActiveWriters = Sequencer.ActiveWriters,
            OldestSnapshotAge = oldest is null ? TimeSpan.Zero : TimeProvider.GetElapsedTime(oldest.CreatedTimestamp),
            PinnedBytes = pinnedPages * PageSize,
            IsReadOnly = IsReadOnly,
        };
    }
}
