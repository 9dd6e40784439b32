using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Transactions;

/// <summary>
/// The chain of versions from the oldest one still needed to the newest one sequenced, with the newest visible one
/// published for new snapshots. Reclamation retires versions from the old end once no snapshot pins them and a durable
/// checkpoint covers what their successors freed.
/// </summary>
internal sealed class VersionChain
{
    private readonly Lock _reclaimLock = new();
    private readonly int _pageSize;
    private readonly PagePool _pages;
    private DbVersion _visible;
    private DbVersion _latest;
    private DbVersion _oldest;

    // What the commits of retired versions freed, oldest first: their pages wait here for a durable checkpoint that
    // covers them, while the versions themselves (and every node only they reached) are already garbage.
    private readonly Queue<(long Version, FreedSet Freed)> _retiredFreed = new();

    // RecycleBehindPins: the newest version its walk has passed (null: none since the old end last moved past it), and
    // the versions it found pinned that are not retired yet, oldest first.
    private DbVersion? _walked;
    private readonly List<DbVersion> _pinnedWalked = [];

    public VersionChain(DbVersion initial, PagePool pages)
    {
        _visible = _latest = _oldest = initial;
        _pageSize = pages.PageSize;
        _pages = pages;
    }

    /// <summary>The newest version new snapshots see.</summary>
    public DbVersion Visible => Volatile.Read(ref _visible);

    /// <summary>The newest version sequenced, possibly not yet durable (read under the sequencer's lock).</summary>
    public DbVersion Latest => Volatile.Read(ref _latest);

    /// <summary>Pins and returns the visible version.</summary>
    public DbVersion PinVisible()
    {
        while (true)
        {
            var version = Visible;
            if (version.TryPin())
            {
                return version;
            }
        }
    }

    /// <summary>
    /// True when no version is pinned at the moment each is checked: no snapshot, writer or checkpoint is reading nodes
    /// (see <see cref="PageCache"/>). Walks from the oldest retained version; versions appended meanwhile are checked too.
    /// A reader that pins a version the walk has passed started after the walk did.
    /// </summary>
    public bool NothingPinned()
    {
        var version = Volatile.Read(ref _oldest);
        while (version is not null)
        {
            if (version.Pins > 0)
            {
                return false;
            }

            var next = version.Next;
            if (next is null && version.Number < Volatile.Read(ref _oldest).Number)
            {
                // Retired meanwhile and cut off the chain (RetireUnpinned): the versions between it and the new oldest
                // are retired too, so none of them can be pinned; go on from the oldest.
                next = Volatile.Read(ref _oldest);
            }

            version = next;
        }

        return true;
    }

    /// <summary>The oldest version the chain still holds: every version before it is retired and has dropped its log.</summary>
    public DbVersion Oldest => Volatile.Read(ref _oldest);

    /// <summary>Links a newly sequenced version (under the sequencer's lock).</summary>
    public void Append(DbVersion version)
    {
        _latest.Next = version;
        Volatile.Write(ref _latest, version);
    }

    /// <summary>Makes <paramref name="version"/> (and every version before it) visible.</summary>
    public void Publish(DbVersion version)
    {
        if (version.Number > Visible.Number)
        {
            Volatile.Write(ref _visible, version);
        }

        RetireUnpinned();
    }

    /// <summary>
    /// Drops versions no snapshot pins from the old end of the chain (never the visible one), so the garbage
    /// collector can reclaim the nodes only they reached. What their successors freed is kept for <see cref="Reclaim"/>.
    /// Then recycles early what a pinned old version does not need (<see cref="RecycleBehindPins"/>). Cheap when there
    /// is nothing to do; called after every publication.
    /// </summary>
    public void RetireUnpinned()
    {
        lock (_reclaimLock)
        {
            while (true)
            {
                var head = _oldest;
                var next = head.Next;
                if (next is null || ReferenceEquals(head, Visible) || !head.TryRetire())
                {
                    break;
                }

                if (next.Freed is { } freed)
                {
                    // What next's commit replaced was reachable only from versions up to head, all retired now (they
                    // retire oldest first): the buffers of its never-written nodes can be reused.
                    if (freed.Superseded.Count > 0)
                    {
                        _pages.Return(freed.Superseded);
                        freed.Superseded.Clear();
                    }

                    // Nor can a checkpoint still write them: one writes only nodes the version it pins reaches, and pins
                    // it for as long as it runs, so one that chose head or an older version has finished, and any later
                    // checkpoint chooses a version after head. Their page numbers are final: keep only the extents of the
                    // written ones, not the nodes, which would otherwise stay reachable (and be promoted to generation 2)
                    // until a durable checkpoint covers this version, the next one after the checkpoint they were
                    // committed during.
                    freed.Resolve(_pageSize, checkpointMayStillWrite: false);
                    if (!freed.IsEmpty)
                    {
                        _retiredFreed.Enqueue((next.Number, freed));
                    }

                    next.Freed = null;
                }

                if (_pinnedWalked.Count > 0 && ReferenceEquals(_pinnedWalked[0], head))
                {
                    _pinnedWalked.RemoveAt(0);
                }

                if (head.HeldBack is { } held)
                {
                    // Held back by head alone (a newer pinned version in their range would hold them instead), and every
                    // version before it is retired.
                    _pages.Return(held);
                    head.HeldBack = null;
                }

                head.DropLog();
                Volatile.Write(ref _oldest, next);

                // Cut the retired version off the chain. It is garbage now, but if it has lived long enough to reach
                // generation 2 (behind a checkpoint's or a reader's pin), the collector treats it as live until the next
                // full collection, and its link would keep its successor alive through every younger collection, and
                // that one its own: every later version, with the nodes, root arrays and owner tokens it alone reaches,
                // would be promoted to generation 2 and die there. After _oldest moved, so that a walk that finds the
                // link cut knows it from the oldest having passed the version (NothingPinned).
                head.Next = null;
            }

            RecycleBehindPins();
        }
    }

    /// <summary>
    /// Recycles the buffers of replaced nodes that no version can reach although an older version is still pinned (a
    /// checkpoint pins the version it writes for as long as it runs; a long reader pins its snapshot). A node that
    /// commit k replaced can be reached only by versions from its <see cref="Node.ReachableFrom"/> to k - 1; once none of
    /// those is pinned, and none can be pinned again, nothing reaches it.
    /// </summary>
    /// <remarks>
    /// <para>Walks each version below the visible one once, in order. New snapshots pin only the visible version, but a
    /// reader that read it just before it stopped being visible may still pin it: so every unpinned version the walk
    /// passes is retired at once (<see cref="DbVersion.TryRetire"/>), which makes its state final. The retirement from
    /// the old end then passes it like any other retired version.</para>
    /// <para>A version the walk found pinned (often only for a moment: the snapshot of the writer whose commit is being
    /// published) holds back the nodes whose range it is the newest pinned version in (<see cref="DbVersion.HeldBack"/>).
    /// Each call checks those versions again: once one is unpinned it is retired, and each node it held is handed to
    /// the next older pinned version in its range, or recycled. The replaced-node lists themselves stay as they are,
    /// for the retirement from the old end; a node recycled here is marked, and never returned twice.</para>
    /// </remarks>
    private void RecycleBehindPins()
    {
        List<Node>? recyclable = null;
        for (var i = 0; i < _pinnedWalked.Count; i++)
        {
            var pinned = _pinnedWalked[i];
            if (!pinned.TryRetire())
            {
                continue;
            }

            _pinnedWalked.RemoveAt(i--);
            if (pinned.HeldBack is { } held)
            {
                // Every version before index i is still pinned: the one at i (if any) is the newest older pinned one.
                pinned.HeldBack = null;
                Hold(held, i >= 0 ? _pinnedWalked[i] : null, ref recyclable);
            }
        }

        if (_walked is not null && _walked.Number < _oldest.Number)
        {
            _walked = null; // the retirement from the old end passed the walk
        }

        var visible = Visible.Number;
        var version = _walked is null ? _oldest : _walked.Next;
        while (version is not null && version.Number < visible)
        {
            if (!version.TryRetire())
            {
                _pinnedWalked.Add(version);
            }

            if (version.Next is { Freed: { Superseded.Count: > 0 } freed })
            {
                // Commit version.Number + 1 replaced these: each is reachable from its ReachableFrom up to this version.
                Hold(freed.Superseded, _pinnedWalked.Count > 0 ? _pinnedWalked[^1] : null, ref recyclable);
            }

            _walked = version;
            version = version.Next;
        }

        if (recyclable is not null)
        {
            _pages.Return(recyclable);
        }
    }

    /// <summary>
    /// Gives each node of <paramref name="nodes"/> to <paramref name="holder"/> (the newest pinned version at or below the
    /// newest one that reaches them) when its range includes it, and adds the others to <paramref name="recyclable"/>.
    /// </summary>
    private static void Hold(List<Node> nodes, DbVersion? holder, ref List<Node>? recyclable)
    {
        foreach (var node in nodes)
        {
            if (node.Recycled)
            {
                continue;
            }

            if (holder is not null && holder.Number >= node.ReachableFrom)
            {
                (holder.HeldBack ??= []).Add(node);
            }
            else
            {
                (recyclable ??= []).Add(node);
            }
        }
    }

    /// <summary>
    /// Returns the extents freed by retired versions' successors up to <paramref name="durableCheckpoint"/>: no snapshot
    /// can reach them and the durable checkpoint no longer does, so they may be written again.
    /// </summary>
    public List<Extent> Reclaim(long durableCheckpoint)
    {
        RetireUnpinned();
        var reusable = new List<Extent>();
        lock (_reclaimLock)
        {
            while (_retiredFreed.TryPeek(out var entry) && entry.Version <= durableCheckpoint)
            {
                _retiredFreed.Dequeue();
                entry.Freed.Resolve(_pageSize, checkpointMayStillWrite: false);
                reusable.AddRange(entry.Freed.Extents);
            }
        }

        return reusable;
    }

    /// <summary>The extents freed by the commits of versions (<paramref name="after"/>, <paramref name="upTo"/>].</summary>
    public List<Extent> FreedBetween(long after, long upTo)
    {
        var extents = new List<Extent>();
        lock (_reclaimLock)
        {
            foreach (var (version, freed) in _retiredFreed)
            {
                if (version > after && version <= upTo)
                {
                    freed.Resolve(_pageSize, checkpointMayStillWrite: false);
                    extents.AddRange(freed.Extents);
                }
            }

            for (var v = _oldest; v is not null && v.Number <= upTo; v = v.Next)
            {
                if (v.Number > after && v.Freed is { } freed)
                {
                    freed.Resolve(_pageSize, checkpointMayStillWrite: false);
                    extents.AddRange(freed.Extents);
                }
            }
        }

        return extents;
    }

    /// <summary>Drops every version's log, with its spill file (at close: no writer will check conflicts again).</summary>
    public void DropLogs()
    {
        lock (_reclaimLock)
        {
            for (var v = _oldest; v is not null; v = v.Next)
            {
                v.DropLog();
            }
        }
    }

    /// <summary>How many versions the chain holds (diagnostics: only pinned snapshots should make it long).</summary>
    public int RetainedVersions
    {
        get
        {
            lock (_reclaimLock)
            {
                var count = 0;
                for (var v = _oldest; v is not null; v = v.Next)
                {
                    count++;
                }

                return count;
            }
        }
    }

    /// <summary>The oldest version a snapshot pins, if any, and the number of pages held back by it.</summary>
    public (DbVersion? Version, long PinnedPages) OldestPinned()
    {
        lock (_reclaimLock)
        {
            DbVersion? oldest = null;
            long pages = 0;
            for (var v = _oldest; v is not null; v = v.Next)
            {
                if (oldest is null && v.Pins > 0 && !ReferenceEquals(v, Visible))
                {
                    oldest = v;
                }
                else if (oldest is not null && v.Freed is { } freed)
                {
                    pages += freed.Extents.Sum(e => (long)e.Count) + freed.Unwritten.Count;
                }
            }

            return (oldest, pages);
        }
    }
}
