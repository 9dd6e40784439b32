using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// The pages a write transaction wrote its leaves to before its commit
/// (<see cref="Transactions.Checkpointer.SpillLeaves"/>), and the owner token of those leaves. No version reaches them
/// until the commit adopts the transaction's tree, so a page whose leaf the transaction has since copied needs none of
/// the page reuse rule: the next spill writes it again at once, and no commit frees it. Likewise for the leaves' buffers:
/// when the page cache evicts one, only the transaction itself can still hold it, so it waits here for the end of the
/// transaction's current write and then goes back to the page pool (<see cref="RecycleEvicted"/>).
/// </summary>
/// <remarks>
/// Nothing else can reach a written-out leaf while the transaction runs: its parent is one of the transaction's own
/// unwritten branches (which never cache children, <see cref="Node.CacheChild"/>), no other version links to its page,
/// and the transaction's spans are valid only until its next write (<see cref="Transaction.TryGet"/>). The commit that
/// adopts the tree closes this before publishing it (<see cref="Close"/>): from then on readers may find the leaves, and
/// evicted ones are left to the garbage collector, as every written node marked <see cref="Node.Shared"/> is.
/// </remarks>
internal sealed class SpilledPages
{
    private readonly Lock _lock = new();
    private List<Node>? _evicted = [];
    private volatile int _evictedCount;

    /// <summary>Pages holding a leaf the transaction's tree still reaches.</summary>
    public HashSet<long> InTree { get; } = [];

    /// <summary>Pages whose leaf the transaction copied since: unreachable, for the next spill to take first.</summary>
    public List<long> Replaced { get; } = [];

    /// <summary>Every page: what goes back to the reusable set when the transaction's tree is dropped.</summary>
    public IEnumerable<long> All => InTree.Concat(Replaced);

    /// <summary>Called by the page cache, under its lock, when it evicts one of the transaction's written-out leaves.</summary>
    public void Evicted(Node leaf)
    {
        lock (_lock)
        {
            if (_evicted is { } evicted)
            {
                evicted.Add(leaf);
                _evictedCount = evicted.Count;
            }
        }
    }

    /// <summary>
    /// At the end of one of the transaction's writes: the buffers of leaves evicted since go back to
    /// <paramref name="pool"/>, as many as it has room for. The rest wait for a later write: a spill evicts a burst of
    /// leaves, which a full pool would drop to the garbage collector while the transaction goes on renting new buffers.
    /// </summary>
    public void RecycleEvicted(PagePool pool)
    {
        if (_evictedCount == 0)
        {
            return;
        }

        List<Node> batch;
        lock (_lock)
        {
            var room = pool.Capacity - pool.Count;
            if (_evicted is not { Count: > 0 } evicted || room <= 0)
            {
                return;
            }

            if (evicted.Count <= room)
            {
                batch = evicted;
                _evicted = [];
            }
            else
            {
                batch = evicted.GetRange(evicted.Count - room, room);
                evicted.RemoveRange(evicted.Count - room, room);
            }

            _evictedCount = _evicted.Count;
        }

        pool.Return(batch);
    }

    /// <summary>The transaction has ended and its pages went where they belong: drops the page sets (the adopted leaves keep this object as their owner).</summary>
    public void Forget()
    {
        InTree.Clear();
        InTree.TrimExcess();
        Replaced.Clear();
        Replaced.TrimExcess();
    }

    /// <summary>The transaction ends, or its tree is about to become visible: evicted leaves are no longer recycled.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _evicted = null;
            _evictedCount = 0;
        }
    }
}
