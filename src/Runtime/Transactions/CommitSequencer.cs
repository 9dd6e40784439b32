using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Persistence.BTree;
using Persistence.Wal;

namespace Persistence.Transactions;

/// <summary>
/// Orders commits. Under one short lock it validates a transaction against the commits after its snapshot, builds the
/// new version (adopting the transaction's private tree when nothing committed in between, re-applying its log on the
/// newest version otherwise), links the version, and queues it for the WAL in commit order. The WAL wait happens
/// outside the lock, so commits of different transactions overlap their fsyncs (group commit).
/// </summary>
internal sealed class CommitSequencer
{
    private readonly Lock _lock = new();
    private readonly Database _database;
    private readonly VersionChain _chain;
    // Open writers per snapshot number, and the smallest of those numbers (long.MaxValue when none is open). A hash map
    // and a cached minimum instead of a sorted map: every writer adds and removes itself, and a sorted map allocated a
    // tree node per writer and an enumerator per look at its first key.
    private readonly Dictionary<long, int> _writers = [];
    private readonly ConflictDetector _conflicts = new(); // used under _lock only
    private long _oldestWriter = long.MaxValue;
    private int _openWriters;
    private int _openDurableWriters;
    private DbVersion _pruneCursor;
    private long _dirtyNodes;

    public CommitSequencer(Database database, VersionChain chain)
    {
        _database = database;
        _chain = chain;
        _pruneCursor = chain.Latest;
    }

    /// <summary>The lock that orders commits; the checkpointer takes it briefly to choose its version.</summary>
    public Lock SyncRoot => _lock;

    /// <summary>
    /// The latest version once every commit sequenced so far has been linked: a commit reports its writes to the write
    /// observers and then links its version, both under the lock, so an observer registered just before this call has
    /// been told of every write of a version newer than the one returned (a commit that read the observers before the
    /// registration is linked by the time the lock is passed).
    /// </summary>
    public long LatestSequenced()
    {
        lock (_lock)
        {
            return _database.Versions.Latest.Number;
        }
    }

    /// <summary>Set (under <see cref="SyncRoot"/>) while a checkpoint may still write nodes of older versions.</summary>
    public bool CheckpointInProgress { get; set; }

    /// <summary>Nodes created by commits since the last checkpoint began (an upper bound on dirty pages).</summary>
    public long DirtyNodes => Interlocked.Read(ref _dirtyNodes);

    public long Commits { get; private set; }

    /// <summary>Nodes copied while applying commits to the newest version (diagnostics for batch sharing).</summary>
    public long NodeCopies { get; private set; }

    /// <summary>Commit latency from the call to Commit to its acknowledgement.</summary>
    public Diagnostics.LatencyHistogram CommitLatency { get; } = new();

    public long Conflicts { get; private set; }

    /// <summary>Logs of later commits that conflict checks skipped unread, their key filters sharing no bit with the committing log's (tests).</summary>
    public long ConflictLogsSkipped
    {
        get
        {
            lock (_lock)
            {
                return _conflicts.Skipped;
            }
        }
    }

    public int ActiveWriters
    {
        get
        {
            lock (_lock)
            {
                var count = 0;
                foreach (var writers in _writers.Values)
                {
                    count += writers;
                }

                return count;
            }
        }
    }

    /// <summary>
    /// Write transactions begun and not yet ended (a commit ends its transaction once it is acknowledged); read without
    /// the lock.
    /// </summary>
    public int OpenWriters => Volatile.Read(ref _openWriters);

    /// <summary>
    /// The <see cref="OpenWriters"/> begun with <see cref="Durability.Durable"/>: those whose commits can share a sync.
    /// Read without the lock, by the WAL leader gathering the commits about to arrive; a buffered transaction left open
    /// would otherwise make every durable batch wait out the gather's stall.
    /// </summary>
    public int OpenDurableWriters => Volatile.Read(ref _openDurableWriters);

    public void ResetDirtyNodes(long counted) => Interlocked.Add(ref _dirtyNodes, -counted);

    public WriteTransaction BeginWriter(Durability durability)
    {
        // Versions whose last reader has left since the last publication retire now, so that the page buffers of the
        // nodes they alone reached are back in the pool before this writer copies pages.
        _chain.RetireUnpinned();
        lock (_lock)
        {
            var snapshot = _chain.PinVisible();
            CollectionsMarshal.GetValueRefOrAddDefault(_writers, snapshot.Number, out _)++;
            Volatile.Write(ref _openWriters, _openWriters + 1);
            if (durability == Durability.Durable)
            {
                Volatile.Write(ref _openDurableWriters, _openDurableWriters + 1);
            }

            _oldestWriter = Math.Min(_oldestWriter, snapshot.Number);
            return new WriteTransaction(_database, snapshot, durability);
        }
    }

    public void EndWriter(WriteTransaction transaction)
    {
        lock (_lock)
        {
            var number = transaction.Snapshot.Number;
            ref var open = ref CollectionsMarshal.GetValueRefOrNullRef(_writers, number);
            if (Unsafe.IsNullRef(ref open))
            {
                throw new UnreachableException($"A writer with snapshot {number} ended twice.");
            }

            Volatile.Write(ref _openWriters, _openWriters - 1);
            if (transaction.Durability == Durability.Durable)
            {
                Volatile.Write(ref _openDurableWriters, _openDurableWriters - 1);
            }

            if (--open == 0)
            {
                _writers.Remove(number);
                if (number == _oldestWriter)
                {
                    _oldestWriter = long.MaxValue;
                    foreach (var snapshot in _writers.Keys)
                    {
                        _oldestWriter = Math.Min(_oldestWriter, snapshot);
                    }
                }
            }

            PruneLogs();
        }

        transaction.Snapshot.Unpin();
    }

    /// <summary>Sequences the transaction's commit; returns the WAL request to wait for, or null when no WAL is involved.</summary>
    public CommitRequest? Commit(WriteTransaction transaction)
    {
        var log = transaction.Log!;
        var chunks = log.Seal();
        CommitRequest? request = null;
        lock (_lock)
        {
            _database.ThrowIfReadOnly();
            var latest = _chain.Latest;
            var adopt = ReferenceEquals(latest, transaction.Snapshot) && !transaction.UsesOverlay;
            if (!ReferenceEquals(latest, transaction.Snapshot)
                && _conflicts.FindConflict(log, transaction.CurrentCatalog, transaction.Snapshot, latest) is { } keyspace)
            {
                Conflicts++;
                throw new WriteConflictException(keyspace, Collections.CollectionKeyspaces.Describe(keyspace, transaction.CurrentCatalog), transaction.Snapshot.Number);
            }

            if (_database.Wal is not { } wal)
            {
                var version = Build(transaction, log, latest, adopt, new object());
                version.EndLsn = latest.EndLsn;
                _chain.Publish(version);
            }
            else
            {
                // A commit joining a batch that no leader has claimed yet may change the previous commit's new nodes
                // in place: a batch is published as a whole (its last version), so the versions inside it are never
                // visible, and a checkpoint that chose one seals it. The gate keeps the batch unclaimed meanwhile.
                lock (wal.Gate)
                {
                    // A spilled log is read back while it replays, and a read that fails part-way must not have changed
                    // the previous commit's nodes: it replays on copies.
                    var owner = !adopt && latest.Owner is { } shared && !latest.Sealed && log.SpilledBytes == 0 && wal.IsLastQueued(latest) ? shared : new object();
                    DbVersion version;
                    try
                    {
                        version = Build(transaction, log, latest, adopt, owner);
                    }
                    catch (Exception ex) when (ReferenceEquals(owner, latest.Owner))
                    {
                        // Replaying had begun changing the previous commit's nodes in place (they share a batch): they no
                        // longer hold what that commit wrote, so nothing more may be built or checkpointed on them, and
                        // the batch's commits fail instead of being written and published (still under the gate, so no
                        // leader has claimed them).
                        _database.MakeReadOnly(ex);
                        wal.AbandonUnclaimedLocked(ex);
                        throw;
                    }

                    request = wal.SubmitLocked(version, chunks, durable: transaction.Durability == Durability.Durable);
                }
            }

            PruneLogs();
        }

        if (_database.Checkpointer is { } checkpointer && checkpointer.IsDue())
        {
            checkpointer.Nudge();
        }

        return request;
    }

    /// <summary>
    /// Forgets the log of a commit that was sequenced and then failed or was refused by the log writer, deleting its
    /// scratch file now instead of at close (its version is never published, so pruning never reaches it). Nothing reads
    /// that log any more: the log writer is done with the commit, and every such failure made the database read-only
    /// before the commit completed, so a commit checking conflicts against it (under this lock) has finished and none
    /// will start. A file that cannot be deleted is logged (<see cref="Diagnostics.Log.SpillCleanupFailed"/>).
    /// </summary>
    public void DropFailedLog(DbVersion version)
    {
        lock (_lock)
        {
            Debug.Assert(_database.IsReadOnly, $"Commit {version.Number} failed in the log writer but the database is writable.");
            if (_database.IsReadOnly)
            {
                version.DropLog();
            }
        }
    }

    /// <summary>
    /// Creates a version that changes the trees' structure but nothing logical (relocating pages to shrink the file):
    /// no log record is written, since replaying the commits before it yields the same data. Waits until every earlier
    /// commit is visible, so that publishing it at once cannot expose a commit that is not yet durable.
    /// </summary>
    public void CommitStructural(Action<TreeRoot[], TreeWriter> change)
    {
        while (true)
        {
            lock (_lock)
            {
                _database.ThrowIfReadOnly();
                var latest = _chain.Latest;
                // Pinned while its nodes are read, as every reader must (evicted page buffers are recycled only when no
                // version is pinned); visible, so not retired.
                if (ReferenceEquals(latest, _chain.Visible) && latest.TryPin())
                {
                    try
                    {
                        PublishStructural(latest, change);
                        return;
                    }
                    finally
                    {
                        latest.Unpin();
                    }
                }
            }

            Thread.Sleep(1); // earlier commits are completing their fsync
        }
    }

    private void PublishStructural(DbVersion latest, Action<TreeRoot[], TreeWriter> change)
    {
        var writer = new TreeWriter(new object(), _database.Source, new FreedSet(), latest.Number + 1);
        var roots = (TreeRoot[])latest.Roots.Clone();
        change(roots, writer);
        writer.Freed.Resolve(_database.PageSize, CheckpointInProgress);
        var version = new DbVersion(latest.Number + 1, roots, latest.Catalog, _database.TimeProvider.GetTimestamp())
        {
            Freed = writer.Freed.IsEmpty ? null : writer.Freed,
            Log = new TxLog(_database.MaxFramePayload),
            EndLsn = latest.EndLsn,
            EndChain = latest.EndChain,
        };
        _chain.Append(version);
        _chain.Publish(version);
        Interlocked.Add(ref _dirtyNodes, writer.NodesCreated);
        PruneLogs();
    }

    /// <summary>Builds and links the new version: the transaction's private tree as it is, or its log applied on the newest version.</summary>
    private DbVersion Build(WriteTransaction transaction, TxLog log, DbVersion latest, bool adopt, object owner)
    {
        var (roots, catalog, freed, nodes) = adopt
            ? (transaction.Roots, transaction.CurrentCatalog, transaction.Freed!, transaction.NodesCreated)
            : Replay(log, latest, transaction.CurrentCatalog, owner);
        freed.Resolve(_database.PageSize, CheckpointInProgress);
        var version = new DbVersion(latest.Number + 1, roots, catalog, _database.TimeProvider.GetTimestamp())
        {
            Freed = freed.IsEmpty ? null : freed,
            Log = log,
            Owner = adopt ? transaction.OwnerToken : owner,
        };
        if (_database.HasWriteObservers)
        {
            // Before the version is linked: reading a spilled log back can fail, and then nothing may be left behind.
            NotifyObservers(log, version.Number, replayed: !adopt);
        }

        log.IsCommitted = true;
        if (adopt)
        {
            transaction.MarkAdopted();
        }

        _chain.Append(version);
        Interlocked.Add(ref _dirtyNodes, nodes);
        Commits++;
        transaction.Sequenced(version.Number);
        return version;
    }

    /// <summary>
    /// Reports the commit's writes to the observers of their keyspaces (<see cref="Database.ObserveWrites"/>). A commit
    /// that fails here fails alone, and the next commit takes its version number, so the reports must be all or none: a
    /// report can cost an observer what it knew of the key (the hot cache drops its entry; the sliding-expiration tracker
    /// keeps the key's pending read for snapshots older than the version only, and writes none of it). A spilled log is therefore
    /// read back whole before the first report, unless the replay just did (<paramref name="replayed"/>); if it fails
    /// to read back during the reports all the same, the database turns read-only, so that no such loss is written.
    /// </summary>
    private void NotifyObservers(TxLog log, long version, bool replayed)
    {
        if (log.SpilledBytes > 0 && !replayed)
        {
            var check = new TxLogReader(log.Payloads());
            while (check.TryRead(out _))
            {
                // Only reads: a chunk that does not read back (or fails its checksum) throws before anything is reported.
            }
        }

        var reported = false;
        try
        {
            var reader = new TxLogReader(log.Payloads());
            while (reader.TryRead(out var op))
            {
                if (op.Kind is LogOpKind.Put or LogOpKind.Delete or LogOpKind.DropKeyspace
                    && _database.TryGetWriteObservers(op.KeyspaceId, out var observers))
                {
                    var key = op.Kind == LogOpKind.DropKeyspace ? ReadOnlyMemory<byte>.Empty : op.Key;
                    foreach (var observer in observers)
                    {
                        reported = true;
                        observer(key, version);
                    }
                }
            }
        }
        catch (PersistenceException ex) when (reported)
        {
            _database.MakeReadOnly(ex);
            throw;
        }
    }

    /// <summary>Re-applies a transaction's log on <paramref name="latest"/> (the log was validated against it).</summary>
    private (TreeRoot[], Catalog, FreedSet, int) Replay(TxLog log, DbVersion latest, Catalog mine, object owner)
    {
        var writer = new TreeWriter(owner, _database.Source, new FreedSet(), latest.Number + 1);
        var catalog = latest.Catalog;
        var roots = new TreeRoot[Math.Max(latest.Roots.Length, Math.Max(catalog.IdLimit, mine.IdLimit))];
        latest.Roots.CopyTo(roots, 0);
        var reader = new TxLogReader(log.Payloads());
        while (reader.TryRead(out var op))
        {
            switch (op.Kind)
            {
                case LogOpKind.Put:
                    writer.Put(ref roots[op.KeyspaceId], op.Key.Span, op.Value.Span);
                    break;
                case LogOpKind.Delete:
                    writer.Delete(ref roots[op.KeyspaceId], op.Key.Span);
                    break;
                case LogOpKind.CreateKeyspace:
                    catalog = catalog.With(mine.Get(op.KeyspaceId)!);
                    break;
                case LogOpKind.DropKeyspace:
                    writer.FreeTree(roots[op.KeyspaceId].Root);
                    roots[op.KeyspaceId] = TreeRoot.Empty;
                    catalog = catalog.Without(catalog.Get(op.KeyspaceId)!);
                    break;
            }
        }

        NodeCopies += writer.Copies;
        return (roots, catalog, writer.Freed, writer.NodesCreated);
    }

    /// <summary>Drops logs that no open (or future) writer can need: at or before every open writer's snapshot and the visible version.</summary>
    private void PruneLogs()
    {
        var limit = Math.Min(_chain.Visible.Number, _oldestWriter);

        while (_pruneCursor.Number <= limit)
        {
            _pruneCursor.DropLog();
            if (_pruneCursor.Next is not { } next)
            {
                var oldest = _chain.Oldest;
                if (oldest.Number > _pruneCursor.Number)
                {
                    // The cursor's version was retired and cut off the chain (VersionChain.RetireUnpinned), which dropped
                    // the logs of every version before the oldest: go on from there.
                    _pruneCursor = oldest;
                    continue;
                }

                break;
            }

            _pruneCursor = next;
        }
    }
}
