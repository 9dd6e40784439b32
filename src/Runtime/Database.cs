using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Persistence.BTree;
using Persistence.Diagnostics;
using Persistence.Storage;
using Persistence.Transactions;
using Persistence.Wal;

namespace Persistence;

/// <summary>
/// An embedded, transactional, ordered key-value database: named keyspaces of byte keys and values, snapshot-isolated
/// transactions, and a write-ahead log so that an acknowledged commit survives a crash. Open one with
/// <see cref="Open(string, DatabaseOptions?)"/> (or <see cref="OpenInMemory"/>), share it across the application, and
/// dispose it at shutdown. All members are thread-safe.
/// </summary>
public sealed partial class Database : IDisposable, IAsyncDisposable
{
    private readonly DatabaseOptions _options;
    private ILogger? _logger;
    private readonly IDisposable? _fileLock;
    private readonly IFileSystem? _fileSystem;
    private long _spillFiles;
    private readonly PageStore? _store;
    private readonly FreeSpaceMap? _freeSpace;
    private readonly WalSegments? _walSegments;
    private readonly VersionChain _chain;
    private readonly TreeLimits _limits;
    private readonly Checkpointer? _checkpointer;
    private Exception? _readOnlyCause;
    private int _nextKeyspaceId;
    private volatile bool _disposed;
    private int _inflightCommits;

    /// <summary>
    /// Null until the close waits for the commits in flight; then the signal the commit that brings
    /// <see cref="_inflightCommits"/> to zero completes (the protocol is on <see cref="EnterCommit"/>).
    /// </summary>
    private TaskCompletionSource? _commitsDrained;
    private long _clockHighWater;

    /// <summary>The largest value, in bytes: 64 MiB. Values above a quarter page are stored in overflow pages.</summary>
    public const int MaxValueSize = TreeLimits.MaxValueSize;

    /// <summary>The database file, or null for an in-memory database.</summary>
    public string? Path { get; }

    /// <summary>The page size of the database file.</summary>
    public int PageSize => _limits.PageSize;

    /// <summary>The longest key, in bytes: one eighth of the page size (1024 with 8 KiB pages).</summary>
    public int MaxKeySize => _limits.MaxKeySize;

    /// <summary>True for a database created with <see cref="OpenInMemory"/>.</summary>
    public bool IsInMemory => _store is null;

    /// <summary>
    /// True after a failed write or fsync, or detected corruption: reads still work, writes throw
    /// <see cref="DatabaseReadOnlyException"/>. Reopen the database to recover.
    /// </summary>
    public bool IsReadOnly => Volatile.Read(ref _readOnlyCause) is not null;

    /// <summary>Why the database became read-only (a <see cref="CorruptionException"/> for detected corruption); null while writable.</summary>
    internal Exception? ReadOnlyCause => Volatile.Read(ref _readOnlyCause);

    internal TimeProvider TimeProvider => _options.TimeProvider;

    /// <summary>The options' logger, wrapped so that a logger that disposes the database does not wait for the close (<see cref="DatabaseLogger"/>).</summary>
    internal ILogger Logger => _logger ??= _options.Logger is { } logger ? new DatabaseLogger(this, logger) : NullLogger.Instance;

    internal DatabaseMetrics Metrics { get; }

    internal Ttl.TtlCollector Ttl { get; }

    private volatile Dictionary<int, Action<ReadOnlyMemory<byte>, long>[]> _writeObservers = [];

    /// <summary>True when some keyspace is observed (the sequencer then reports each commit's writes).</summary>
    internal bool HasWriteObservers => _writeObservers.Count > 0;

    /// <summary>
    /// Calls <paramref name="onWrite"/> with every key a commit writes (puts or deletes) in <paramref name="keyspace"/>
    /// and the commit's version, under the sequencer's lock, before the version can become visible. An empty key
    /// means the whole keyspace changed (it was deleted). Caches use it to stay consistent with every snapshot.
    /// </summary>
    /// <remarks>
    /// <para>A report says that a commit may make the key change at that version, not that it will: the commit is
    /// reported when it is sequenced, and the log writer can still fail it or refuse it (a scratch log that does not read
    /// back, a failed write of the log, or a commit built on one of those). Its version then never becomes visible and
    /// the database turns read-only. An observer must therefore only forget what it knows of the key on a report (or
    /// mark it unusable for snapshots at or after the version), never take the write as done: the hot cache replaces the
    /// entry by a marker that serves no reader, so a refused update only costs reads of the tree.</para>
    /// <para>The reports of one commit are all or none when the commit fails while being sequenced (the next commit then
    /// takes its version number): a spilled log is read back whole before the first report, and a database whose
    /// observers heard part of a commit that failed turns read-only. An observer that would lose something by forgetting
    /// keeps it for the snapshots older than the reported version instead: the sliding-expiration tracker moves the key's
    /// pending read aside for them (never to be written), so after a refused commit, whose version no snapshot ever
    /// sees, a document read shortly before stays alive and keeps sliding until the reopen, which loses those reads (a
    /// read-only database cannot write them).</para>
    /// </remarks>
    internal void ObserveWrites(Keyspace keyspace, Action<ReadOnlyMemory<byte>, long> onWrite)
    {
        lock (_writeObserversLock)
        {
            var copy = new Dictionary<int, Action<ReadOnlyMemory<byte>, long>[]>(_writeObservers);
            copy[keyspace.Id] = [.. copy.GetValueOrDefault(keyspace.Id, []), onWrite];
            _writeObservers = copy;
        }
    }

    internal bool TryGetWriteObservers(int keyspace, out Action<ReadOnlyMemory<byte>, long>[] observers) =>
        _writeObservers.TryGetValue(keyspace, out observers!);

    private readonly Lock _writeObserversLock = new();
    private readonly List<Func<(long Hits, long Misses)>> _hotCaches = [];

    /// <summary>Adds a collection's hot-cache counters to the database's statistics.</summary>
    internal void RegisterHotCache(Func<(long Hits, long Misses)> counters)
    {
        lock (_hotCaches)
        {
            _hotCaches.Add(counters);
        }
    }

    internal (long Hits, long Misses) HotCacheCounters()
    {
        lock (_hotCaches)
        {
            long hits = 0, misses = 0;
            foreach (var counters in _hotCaches)
            {
                var (h, m) = counters();
                hits += h;
                misses += m;
            }

            return (hits, misses);
        }
    }

    internal INodeSource Source { get; }

    internal CommitSequencer Sequencer { get; }

    internal WalWriter? Wal { get; }

    internal VersionChain Versions => _chain;

    internal int MaxFramePayload => Wal?.MaxFramePayload ?? (1 << 20);

    /// <summary>Begins a read-only snapshot transaction. Never blocks.</summary>
    public ReadTransaction BeginRead()
    {
        ThrowIfDisposed();
        return new ReadTransaction(this, _chain.PinVisible());
    }

    /// <summary>
    /// A read transaction for one call of the library's own that never hands it out (a <c>Get</c> without a
    /// transaction, say): it reads the clock only if an expiry check needs its time, which saves a clock read (about
    /// 5% of a point lookup) for collections without expiring documents. Nobody but that call sees the transaction, so
    /// when its time is read cannot be told apart from reading it at the start.
    /// </summary>
    internal ReadTransaction BeginUntimedRead()
    {
        ThrowIfDisposed();
        if (t_spareRead is { } spare)
        {
            t_spareRead = null; // a read nested in this one (application code run by it: a setter the decoder calls, a logger) allocates its own
            spare.Rearm(this, _chain.PinVisible());
            return spare;
        }

        return new ReadTransaction(this, _chain.PinVisible(), timed: false);
    }

    /// <summary>
    /// Ends a transaction of <see cref="BeginUntimedRead"/> and keeps it, emptied, for this thread's next one: a point
    /// lookup then allocates only the document it returns. Only a call that never hands its transaction out may end it
    /// so, since a reference kept past this call would see a later read's snapshot.
    /// </summary>
    internal static void EndUntimedRead(ReadTransaction read)
    {
        read.Dispose();
        read.Forget();
        t_spareRead = read;
    }

    /// <summary>This thread's emptied transaction for the next <see cref="BeginUntimedRead"/> (of any database).</summary>
    [ThreadStatic]
    private static ReadTransaction? t_spareRead;

    /// <summary>Begins a write transaction. Never blocks: several may be open at once (see <see cref="WriteTransaction"/>).</summary>
    /// <param name="durability">When the commit is acknowledged; default <see cref="DatabaseOptions.DefaultDurability"/>.</param>
    /// <exception cref="InvalidOptionsException"><paramref name="durability"/> is not a <see cref="Durability"/> value, or is <see cref="Durability.None"/> for a database with files.</exception>
    public WriteTransaction BeginWrite(Durability? durability = null)
    {
        ThrowIfDisposed();
        ThrowIfReadOnly();
        var mode = durability ?? _options.DefaultDurability;
        if ((uint)mode > (uint)Durability.None)
        {
            // Only Durable asks for an fsync: an undefined value would quietly acknowledge commits before they are durable.
            throw new InvalidOptionsException(nameof(durability), $"Durability {mode} is not a Durability value.");
        }

        if (IsInMemory)
        {
            mode = Durability.None;
        }
        else if (mode == Durability.None)
        {
            throw new InvalidOptionsException(nameof(durability), "Durability.None is only for in-memory databases; use Buffered for fast, unsynced commits.");
        }

        return Sequencer.BeginWriter(mode);
    }

    /// <summary>Asynchronous form of <see cref="BeginRead"/> (which never blocks); its failures come back in the task.</summary>
    public ValueTask<ReadTransaction> BeginReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReadTransaction>(cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(BeginRead());
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<ReadTransaction>(ex);
        }
    }

    /// <summary>Asynchronous form of <see cref="BeginWrite"/> (which never blocks); its failures come back in the task.</summary>
    public ValueTask<WriteTransaction> BeginWriteAsync(Durability? durability = null, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<WriteTransaction>(cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(BeginWrite(durability));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<WriteTransaction>(ex);
        }
    }

    /// <summary>The latest snapshot time handed out (UTC ticks), or the one the last checkpoint recorded after an open.</summary>
    internal long ClockHighWaterTicks => Volatile.Read(ref _clockHighWater);

    /// <summary>Makes every later snapshot time at least <paramref name="ticks"/> (UTC ticks).</summary>
    internal void RaiseClockFloor(long ticks)
    {
        var current = Volatile.Read(ref _clockHighWater);
        while (ticks > current)
        {
            var seen = Interlocked.CompareExchange(ref _clockHighWater, ticks, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>The current time for a new snapshot: the clock, but never earlier than a time already handed out.</summary>
    internal DateTimeOffset SnapshotClock()
    {
        var now = TimeProvider.GetUtcNow().UtcTicks;
        var highWater = Volatile.Read(ref _clockHighWater);
        if (now > highWater)
        {
            // One attempt is enough: a concurrent caller that won holds a time at least as late as most callers need.
            Interlocked.CompareExchange(ref _clockHighWater, now, highWater);
            return new DateTimeOffset(now, TimeSpan.Zero);
        }

        return new DateTimeOffset(highWater, TimeSpan.Zero);
    }

    /// <summary>Registers a commit in flight; false when the database is closing (the commit must not start).</summary>
    /// <remarks>
    /// <para>The protocol with the close's drain (<see cref="DrainCommitsAsync"/>), two Dekker pairs on full fences:</para>
    /// <list type="number">
    /// <item>Entry: a commit increments the count, then reads <see cref="_disposed"/>; the close sets the flag, fences,
    /// then reads the count. Either the commit sees the flag (and backs out) or the close's first read counts it: no
    /// commit starts after that read.</item>
    /// <item>Exit: a commit decrements the count and, when it reached zero, reads <see cref="_commitsDrained"/> and
    /// completes it; the close publishes a new signal (a full fence), then reads the count again and waits on the signal
    /// only if it is not zero. Either the close sees the count at zero or the decrement that brings it there sees the
    /// signal: a commit exiting between the close's read and its wait has completed the signal already.</item>
    /// </list>
    /// <para>A commit refused here decrements through <see cref="ExitCommit"/> too: its transient increment may be all
    /// the close's read counted, and then its decrement is the one that must wake the close. A decrement to zero may also
    /// complete the signal early: one that happened before the close but read the field late, after the close published
    /// it, while a commit that entered since is in flight. The close therefore re-reads the count after every wake, with
    /// a new signal each time, until it reads zero.</para>
    /// <para>On the hot path this costs, beyond the increment and decrement, the flag's read on entry and, only when the
    /// count reaches zero, one read of a field that is null until the close.</para>
    /// </remarks>
    internal bool EnterCommit()
    {
        Interlocked.Increment(ref _inflightCommits);
        if (_disposed)
        {
            ExitCommit();
            return false;
        }

        return true;
    }

    /// <summary>Ends a commit registered by <see cref="EnterCommit"/>; the last one out wakes a close that waits.</summary>
    internal void ExitCommit()
    {
        if (Interlocked.Decrement(ref _inflightCommits) == 0)
        {
            // Completes continuations asynchronously: the rest of the close never runs on this commit's thread.
            Volatile.Read(ref _commitsDrained)?.TrySetResult();
        }
    }

    internal int AllocateKeyspaceId() => Interlocked.Increment(ref _nextKeyspaceId) - 1;

    internal void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw TransactionStateException.DatabaseClosed();
        }
    }

    /// <summary>
    /// True when <paramref name="path"/> can only name a folder: it ends in a folder separator, or its last segment is
    /// <c>.</c> or <c>..</c>. The database's files are named by appending to its path, so such a path cannot name one.
    /// Checked on the text alone, before anything touches the file system (<see cref="Open(string, DatabaseOptions?)"/>
    /// and the options validator refuse alike).
    /// </summary>
    internal static bool NamesFolder(string path) =>
        System.IO.Path.EndsInDirectorySeparator(path) || System.IO.Path.GetFileName(path.AsSpan()) is "." or "..";

    internal void ThrowIfReadOnly()
    {
        if (Volatile.Read(ref _readOnlyCause) is { } cause)
        {
            throw cause as DatabaseReadOnlyException
                ?? new DatabaseReadOnlyException($"The database is read-only because of an earlier failure: {cause.Message}", cause);
        }
    }

    /// <summary>Makes the database refuse writes from now on; the first cause is kept (and logged).</summary>
    internal void MakeReadOnly(Exception cause)
    {
        if (Interlocked.CompareExchange(ref _readOnlyCause, cause, null) is not null)
        {
            return;
        }

        if (cause is CorruptionException corruption)
        {
            Log.Corruption(Logger, Path ?? ":memory:", corruption.Message, corruption);
        }

        Log.ReadOnly(Logger, Path ?? ":memory:", cause.Message, cause);
    }

    internal void ValidateKey(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
        {
            throw new LimitExceededException(ErrorCode.KeyEmpty, "Keys must contain at least one byte.");
        }

        ValidateKeyLength(key.Length);
    }

    /// <summary>Throws <see cref="ErrorCode.KeyTooLarge"/> for a key of <paramref name="length"/> bytes that does not fit a page.</summary>
    internal void ValidateKeyLength(int length)
    {
        if (length > _limits.MaxKeySize)
        {
            throw new LimitExceededException(ErrorCode.KeyTooLarge, $"The key is {length} bytes; keys may be at most {_limits.MaxKeySize} bytes with {PageSize}-byte pages.");
        }
    }

    internal void ValidateValue(ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxValueSize)
        {
            throw new LimitExceededException(ErrorCode.ValueTooLarge, $"The value is {value.Length} bytes; values may be at most {MaxValueSize} bytes.");
        }
    }
}
