using Persistence.BTree;

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
    private DbVersion _visible;
    private DbVersion _latest;
    private DbVersion _oldest;

    public VersionChain(DbVersion initial, int pageSize)
    {
        _visible = _latest = _oldest = initial;
        _pageSize = pageSize;
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
    }

    /// <summary>
    /// Retires versions nobody needs and returns the extents their successors freed, which are now reusable: no
    /// snapshot can reach them and the durable checkpoint (<paramref name="durableCheckpoint"/>) no longer does.
    /// </summary>
    public List<Extent> Reclaim(long durableCheckpoint)
    {
        var reusable = new List<Extent>();
        lock (_reclaimLock)
        {
            while (true)
            {
                var head = _oldest;
                var next = head.Next;
                if (next is null || ReferenceEquals(head, Visible) || next.Number > durableCheckpoint || !head.TryRetire())
                {
                    break;
                }

                if (next.Freed is { } freed)
                {
                    freed.Resolve(_pageSize, checkpointMayStillWrite: false);
                    reusable.AddRange(freed.Extents);
                    next.Freed = null;
                }

                head.Log = null;
                _oldest = next;
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
