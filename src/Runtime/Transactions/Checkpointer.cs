using System.Diagnostics;
using Persistence.BTree;
using Persistence.Storage;
using Persistence.Wal;

namespace Persistence.Transactions;

/// <summary>
/// Writes the newest sequenced version's in-memory pages to free space and switches the meta page, so that the log
/// before it can be recycled. Runs in the background (triggered by log size, dirty pages and time) or on demand;
/// commits and reads continue meanwhile. One checkpoint runs at a time.
/// </summary>
/// <remarks>
/// Order of a checkpoint at version D: (1) choose D under the sequencer's lock and pin it; (2) wait until D is durable
/// in the log; (3) reclaim pages nobody can reach; (4) write D's unwritten nodes and large values to reusable pages
/// (never a page the durable checkpoint or a live snapshot can reach); (5) write a new catalog and the changed bitmap
/// pages; (6) fdatasync the data file; (7) write the other meta slot and fdatasync; only then (8) is D the durable
/// checkpoint, the previous catalog and bitmap pages reusable, and the log before D recyclable.
/// </remarks>
internal sealed partial class Checkpointer
{
    private readonly Database _database;
    private readonly PageStore _store;
    private readonly FreeSpaceMap _freeSpace;
    private readonly WalWriter _wal;
    private readonly WalSegments _segments;
    private readonly Lock _run = new();
    private readonly LeafSpiller _spiller;
    private List<PageId> _catalogPages;
    private PageId _durableSlot;

    public Checkpointer(Database database, PageStore store, FreeSpaceMap freeSpace, WalWriter wal, WalSegments segments,
        MetaPage durable, PageId durableSlot, List<PageId> catalogPages, LeafSpiller spiller)
    {
        _database = database;
        _spiller = spiller;
        _store = store;
        _freeSpace = freeSpace;
        _wal = wal;
        _segments = segments;
        Durable = durable;
        _durableSlot = durableSlot;
        _catalogPages = catalogPages;
        _lastCheckpoint = database.TimeProvider.GetTimestamp();
    }

    /// <summary>Held while a checkpoint runs; the consistency checker holds it so the durable state stays put.</summary>
    public Lock RunLock => _run;

    /// <summary>The meta page of the durable checkpoint.</summary>
    public MetaPage Durable { get; private set; }

    public long Completed { get; private set; }

    public TimeSpan LastDuration { get; private set; }

    public long LastPagesWritten { get; private set; }

    /// <summary>True when the snapshot clock handed out a later time than the durable meta page records.</summary>
    private bool ClockAhead => _database.ClockHighWaterTicks > Durable.ClockHighWaterTicks;

    /// <summary>
    /// Runs a checkpoint if anything was committed since the last one, or the snapshot clock moved past the time the
    /// last one recorded (or, with <paramref name="force"/>, regardless:
    /// a new meta page, bitmap and catalog, which lets pages freed by the previous checkpoint be reclaimed and records
    /// a new page count). Returns false when there was nothing to do.
    /// </summary>
    public bool Run(bool force = false)
    {
        lock (_run)
        {
            ThrowIfClosed();
            _database.ThrowIfReadOnly();
            var sequencer = _database.Sequencer;
            DbVersion target;
            long dirty;
            lock (sequencer.SyncRoot)
            {
                // Again under the lock: a commit that fails while changing an unclaimed version in place makes the
                // database read-only under it, and that version (Latest) must never be written.
                _database.ThrowIfReadOnly();
                target = _database.Versions.Latest;
                if ((target.Number == Durable.CheckpointVersion && !force && !ClockAhead) || !target.TryPin())
                {
                    return false;
                }

                target.Sealed = true; // later commits in its batch must not change its nodes in place
                sequencer.CheckpointInProgress = true;
                dirty = sequencer.DirtyNodes;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                Checkpoint(target);
                sequencer.ResetDirtyNodes(dirty);
                Completed++;
                LastDuration = Stopwatch.GetElapsedTime(started);
                _database.Metrics.Checkpoint(LastDuration);
                var elapsedMs = (long)LastDuration.TotalMilliseconds;
                if (elapsedMs >= 1000)
                {
                    Diagnostics.Log.SlowCheckpoint(_database.Logger, _store.Path, Durable.Sequence, LastPagesWritten, elapsedMs);
                }
                else
                {
                    Diagnostics.Log.Checkpointed(_database.Logger, _store.Path, Durable.Sequence, target.Number, LastPagesWritten, elapsedMs);
                }
                _lastCheckpoint = _database.TimeProvider.GetTimestamp();
                return true;
            }
            catch (Exception ex)
            {
                _database.MakeReadOnly(ex);
                throw;
            }
            finally
            {
                lock (sequencer.SyncRoot)
                {
                    sequencer.CheckpointInProgress = false;
                }

                // Only now, after every node it wrote has its page number: until then the pin keeps the target, and so
                // every version before it, from retiring, and retirement resolves what those versions' successors
                // freed on the promise that no checkpoint can still write it (VersionChain.RetireUnpinned).
                target.Unpin();
            }
        }
    }

    private void Checkpoint(DbVersion target)
    {
        if (_wal.DurableLsn < target.EndLsn)
        {
            _wal.Wait(_wal.SubmitSync());
            if (_wal.DurableLsn < target.EndLsn)
            {
                // Its commit was abandoned (AbandonUnclaimedLocked) after this checkpoint chose it: never written.
                throw new DatabaseReadOnlyException($"Version {target.Number} never reached the log, so it cannot be checkpointed; the database is read-only.", null);
            }
        }

        var generation = Durable.Sequence + 1;
        _freeSpace.MakeReusable(_database.Versions.Reclaim(Durable.CheckpointVersion));

        var flusher = new NodeFlusher(_store, _freeSpace, generation);
        var records = new List<CatalogRecord>();
        foreach (var keyspace in target.Catalog.Keyspaces)
        {
            if (target.Root(keyspace.Id).Root is { PageId.IsNone: false } writtenRoot && !_freeSpace.IsUsed(writtenRoot.PageId.Value))
            {
                // A leaf written out early that became the root in a commit of another writer (a leaf recovery wrote
                // out, say): no branch of this version names its page, so NodeFlusher.Collect cannot find it.
                flusher.Written.Add(new Extent(writtenRoot.PageId, 1));
            }

            flusher.Collect(target.Root(keyspace.Id).Root);
        }

        flusher.Write();
        flusher.Publish();
        foreach (var keyspace in target.Catalog.Keyspaces)
        {
            var root = target.Root(keyspace.Id);
            records.Add(new CatalogRecord(keyspace.Id, root.Root?.PageId ?? PageId.None, root.Count, keyspace.Name));
        }

        var written = flusher.Written;
        var catalogPages = new List<PageId>();
        for (var i = 0; i < CatalogPages.PagesNeeded(records, _store.PageSize); i++)
        {
            var extent = _freeSpace.Allocate(1);
            written.Add(extent);
            catalogPages.Add(extent.Start);
        }

        _store.WritePages(CatalogPages.Encode(records, catalogPages, _store.PageSize, generation));
        var released = _catalogPages.Select(p => new Extent(p, 1)).ToList();
        var freed = _database.Versions.FreedBetween(Durable.CheckpointVersion, target.Number);
        var update = _freeSpace.PrepareCheckpoint(freed, written, released, generation);
        _store.WritePages(update.Pages);
        _store.Flush();

        var meta = Durable with
        {
            Sequence = generation,
            CheckpointVersion = target.Number,
            WalStartLsn = target.EndLsn,
            WalChainSeed = target.EndChain,
            PageCount = update.PageCount,
            CatalogPage = catalogPages.Count > 0 ? catalogPages[0] : PageId.None,
            NextKeyspaceId = _database.NextKeyspaceId,
            BitmapPages = update.BitmapPages,
            ClockHighWaterTicks = Math.Max(Durable.ClockHighWaterTicks, _database.ClockHighWaterTicks),
        };
        var slot = new PageId(1 - _durableSlot.Value);
        _store.WriteAt(slot, meta.Encode(slot));
        _store.Flush();

        _store.NewestGeneration = meta.Sequence + 1; // before Durable: writes sealed with Durable.Sequence + 1 follow it
        Durable = meta;
        _durableSlot = slot;
        _catalogPages = catalogPages;
        _freeSpace.CompleteCheckpoint(update);
        _freeSpace.MakeReusable(_database.Versions.Reclaim(target.Number));
        _segments.Recycle(_segments.IndexOf(target.EndLsn));
        LastPagesWritten = flusher.NodesWritten;
    }
}
