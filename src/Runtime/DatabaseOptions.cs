using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Persistence.Storage;

namespace Persistence;

/// <summary>How a <see cref="Database"/> is opened and run. Every setting has a default suited to a server application.</summary>
public sealed class DatabaseOptions
{
    /// <summary>Page size in bytes for a new database: a power of two from 4096 to 65536. Default 8192. An existing file keeps its own page size.</summary>
    public int PageSize { get; set; } = 8192;

    /// <summary>The memory budget for cached pages, in bytes: at least 16 pages (<see cref="PageSize"/> × 16). Default 256 MiB.</summary>
    public long PageCacheBytes { get; set; } = 256L << 20;

    /// <summary>
    /// The durability of write transactions that do not choose one: <see cref="Durability.Durable"/> (the default) or
    /// <see cref="Durability.Buffered"/>. <see cref="Database.Open(string, DatabaseOptions?)"/> refuses
    /// <see cref="Durability.None"/>, the mode of in-memory databases, whose commits use it whatever this says.
    /// </summary>
    public Durability DefaultDurability { get; set; } = Durability.Durable;

    /// <summary>A checkpoint starts when this many bytes of log were written since the last one: at least 1 MiB. Default 64 MiB.</summary>
    public long CheckpointWalBytes { get; set; } = 64L << 20;

    /// <summary>A checkpoint starts when changes are this old, even if little was written: positive. Default one minute.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The size of each write-ahead-log segment file for a new database, in bytes: from 64 KiB to 1 GiB. Default 16 MiB. Segments are
    /// preallocated; after a checkpoint the log keeps its current segment, the next one prepared ahead, and one spare.
    /// </summary>
    public int WalSegmentBytes { get; set; } = 16 << 20;

    /// <summary>The longest a <see cref="Durability.Buffered"/> commit stays without an fsync: above zero and at most 10 seconds. Default 100 ms.</summary>
    public TimeSpan BufferedFlushDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Where time comes from (checkpoint timers, snapshot ages, document expiry and the collector's pauses, the hot cache's lifetimes). Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The expired-document collector (see <see cref="ExpiresAtAttribute"/> and <see cref="CollectionOptions.DefaultTimeToLive"/>).</summary>
    public TtlOptions Ttl { get; set; } = new();

    /// <summary>Per-collection settings (default lifetime, sliding expiration, hot cache), by collection name.</summary>
    public IDictionary<string, CollectionOptions> Collections => _collections;

    private Dictionary<string, CollectionOptions> _collections = new(StringComparer.Ordinal);

    /// <summary>Where the database logs opening, recovery, checkpoints, corruption and failures. Default: no logging.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Creates the database's <c>Persistence</c> meter (dependency injection supplies one). Default: a meter of its own.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// How many bytes of a write transaction's finished log chunks stay in memory before they move to a scratch file
    /// beside the database (read back at commit). Internal: 8 MiB, lowered by tests; 0 keeps every log in memory.
    /// </summary>
    internal long LogSpillBytes { get; set; } = 8L << 20;

    /// <summary>
    /// How many unwritten nodes a large write transaction, or recovery's replay, holds before it writes leaves out
    /// (<see cref="Database.SpillLeavesAfter"/>). Internal: 0 (the default) means as many as the page cache holds;
    /// tests lower it.
    /// </summary>
    internal int SpillLeavesAfter { get; set; }

    /// <summary>
    /// The most log bytes of one commit recovery holds while it validates the commit's frames. A larger commit that no
    /// checkpoint reached is read twice instead: validated first, then replayed frame by frame. Internal: 16 MiB by
    /// default; tests lower it.
    /// </summary>
    internal long RecoveryHeldLogBytes { get; set; } = 16 << 20;

    /// <summary>
    /// Whether checkpoints run on their own thread (when due) and the log prepares its next segment on a thread-pool
    /// task. Internal: true; the sequential crash scenarios turn it off so that a run performs the same storage
    /// operations in the same order every time (a crash point names one operation): checkpoints then run only on demand
    /// and at close, and the log prepares the next segment on the committing thread when it starts writing a segment.
    /// </summary>
    internal bool BackgroundWork { get; set; } = true;

    /// <summary>Throws <see cref="InvalidOptionsException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (!MetaPage.IsValidPageSize(PageSize))
        {
            throw new InvalidOptionsException(nameof(PageSize), $"PageSize must be a power of two from 4096 to 65536 bytes; it is {PageSize}.");
        }

        if (PageCacheBytes < 16L * PageSize)
        {
            throw new InvalidOptionsException(nameof(PageCacheBytes), $"PageCacheBytes must hold at least 16 pages ({16L * PageSize} bytes); it is {PageCacheBytes}.");
        }

        if (!Enum.IsDefined(DefaultDurability))
        {
            throw new InvalidOptionsException(nameof(DefaultDurability), $"DefaultDurability {DefaultDurability} is not a Durability value.");
        }

        if (CheckpointWalBytes < 1 << 20)
        {
            throw new InvalidOptionsException(nameof(CheckpointWalBytes), $"CheckpointWalBytes must be at least 1 MiB; it is {CheckpointWalBytes}.");
        }

        if (CheckpointInterval <= TimeSpan.Zero)
        {
            throw new InvalidOptionsException(nameof(CheckpointInterval), $"CheckpointInterval must be positive; it is {CheckpointInterval}.");
        }

        if (WalSegmentBytes < 64 << 10 || WalSegmentBytes > 1 << 30)
        {
            throw new InvalidOptionsException(nameof(WalSegmentBytes), $"WalSegmentBytes must be from 64 KiB to 1 GiB; it is {WalSegmentBytes}.");
        }

        if (BufferedFlushDelay <= TimeSpan.Zero || BufferedFlushDelay > TimeSpan.FromSeconds(10))
        {
            throw new InvalidOptionsException(nameof(BufferedFlushDelay), $"BufferedFlushDelay must be above zero and at most 10 seconds; it is {BufferedFlushDelay}.");
        }

        if (TimeProvider is null)
        {
            throw new InvalidOptionsException(nameof(TimeProvider), "TimeProvider must not be null.");
        }

        (Ttl ?? throw new InvalidOptionsException(nameof(Ttl), "Ttl must not be null.")).Validate();
        foreach (var (name, collection) in Collections)
        {
            (collection ?? throw new InvalidOptionsException($"Collections[{name}]", $"The settings of collection '{name}' must not be null; remove the entry instead.")).Validate(name);
        }
    }

    internal DatabaseOptions Clone()
    {
        var copy = (DatabaseOptions)MemberwiseClone();
        copy.Ttl = Ttl?.Clone()!; // a null is refused by Validate, which runs on the copy
        copy._collections = new Dictionary<string, CollectionOptions>(StringComparer.Ordinal);
        foreach (var (name, collection) in Collections)
        {
            copy._collections[name] = collection?.Clone()!;
        }

        return copy;
    }
}
