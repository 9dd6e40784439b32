namespace Persistence;

/// <summary>A point-in-time view of what an operator watches: commits, the log, checkpoints, caches and snapshots.</summary>
public sealed record DatabaseStatistics
{
    /// <summary>The newest visible commit version.</summary>
    public long Version { get; init; }

    /// <summary>Commits sequenced since open.</summary>
    public long Commits { get; init; }

    /// <summary>Median commit latency since open (call to acknowledgement).</summary>
    public TimeSpan CommitLatencyP50 { get; init; }

    /// <summary>99th-percentile commit latency since open.</summary>
    public TimeSpan CommitLatencyP99 { get; init; }

    /// <summary>99.9th-percentile commit latency since open.</summary>
    public TimeSpan CommitLatencyP999 { get; init; }

    /// <summary>The slowest commit since open.</summary>
    public TimeSpan CommitLatencyMax { get; init; }

    /// <summary>Commits rejected by write conflicts since open.</summary>
    public long WriteConflicts { get; init; }

    /// <summary>WAL batches written (group commit: one batch holds every commit queued while the previous one ran).</summary>
    public long WalBatches { get; init; }

    /// <summary>fdatasync calls on the log.</summary>
    public long WalSyncs { get; init; }

    /// <summary>Average commits per WAL batch.</summary>
    public double AverageBatchSize { get; init; }

    /// <summary>Log bytes since the durable checkpoint (what a crash would replay).</summary>
    public long WalBytesSinceCheckpoint { get; init; }

    /// <summary>Bytes of log segment files on disk.</summary>
    public long WalDiskBytes { get; init; }

    /// <summary>Checkpoints completed since open.</summary>
    public long Checkpoints { get; init; }

    /// <summary>How long the last checkpoint took.</summary>
    public TimeSpan LastCheckpointDuration { get; init; }

    /// <summary>
    /// Pages that write transactions larger than the page cache wrote out before their commit, to keep their memory
    /// within about the cache's budget (since open).
    /// </summary>
    public long SpilledPages { get; init; }

    /// <summary>Bytes of the data file.</summary>
    public long FileBytes { get; init; }

    /// <summary>
    /// Pages the allocator manages: the data file's, and growth it reserved that is not written yet (the file grows as
    /// pages are written, so <see cref="FileBytes"/> may be less than this many pages).
    /// </summary>
    public long FilePages { get; init; }

    /// <summary>Pages of <see cref="FilePages"/> that are free and may be reused now.</summary>
    public long ReusablePages { get; init; }

    /// <summary>Pages in the page cache, and its capacity.</summary>
    public int CachedPages { get; init; }

    /// <summary>The page cache's capacity in pages.</summary>
    public int CacheCapacityPages { get; init; }

    /// <summary>
    /// Page-cache lookups that found the page, as a fraction of all lookups (approximate: counted without
    /// synchronization). Descents that follow in-memory child pointers do not look pages up and are not counted, so a
    /// warm tree shows few lookups.
    /// </summary>
    public double CacheHitRatio { get; init; }

    /// <summary>Reads served by collections' hot caches since open.</summary>
    public long HotCacheHits { get; init; }

    /// <summary>Reads of hot-cached collections that had to go to the engine since open.</summary>
    public long HotCacheMisses { get; init; }

    /// <summary>Expired documents removed by the collector since open.</summary>
    public long ExpiredCollected { get; init; }

    /// <summary>Nodes changed since the last checkpoint (an upper bound on dirty pages).</summary>
    public long DirtyPagesEstimate { get; init; }

    /// <summary>Write transactions currently open.</summary>
    public int ActiveWriters { get; init; }

    /// <summary>How long the oldest live snapshot has been held (zero when none is older than the newest version).</summary>
    public TimeSpan OldestSnapshotAge { get; init; }

    /// <summary>Bytes of pages that cannot be reused until the oldest live snapshot ends.</summary>
    public long PinnedBytes { get; init; }

    /// <summary>True when the database refuses writes after a failure.</summary>
    public bool IsReadOnly { get; init; }
}
