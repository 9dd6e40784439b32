using System.Collections.Concurrent;
using Persistence.BTree;

namespace Persistence.Storage;

/// <summary>
/// A bounded cache of clean (written) tree nodes by page number, evicted with the CLOCK algorithm. Lookups are
/// lock-free; inserts, removals and evictions take a short lock.
/// </summary>
/// <remarks>
/// <para>Evicting a node only drops the cache's reference: a reader that already holds the node keeps using it, which is
/// safe because a page is never rewritten while any snapshot can reach it. When a checkpoint reuses a page number it
/// <see cref="Add"/>s the new node, which replaces the stale entry.</para>
/// <para>The ring holds exactly the nodes the dictionary holds. A node that leaves the dictionary other than by eviction
/// (<see cref="Remove"/>, or replaced by a newer node for its page number) gives up its ring slot at once, and the
/// next insert takes that slot: otherwise the ring alone would keep such a node and its page buffer alive until the
/// hand came round, which after a burst of replaced pages is most of the cache's budget.</para>
/// <para>Once the database is open (<see cref="RecycleEvictedBuffers"/>), the buffers of evicted nodes go back to the
/// <see cref="PagePool"/> for the next pages read, instead of waiting for a full garbage collection: a workload that
/// reads more than the cache holds otherwise allocates a new buffer for every miss, and the process grows far past the
/// cache's budget. A buffer is recycled only when nothing can read it again:
/// <list type="bullet">
/// <item>no reference to the node is left that eviction cannot drop: the node is not <see cref="Node.Shared"/> (a
/// version's root, in a writable branch, moved out of a branch whose children were copied, linked after its eviction,
/// written by a checkpoint) and the branch it was unlinked from never had its children copied
/// (<see cref="Node.RecyclableAfterEviction"/>);</item>
/// <item>nothing that could have found it before its eviction still runs: after the eviction, at some moment no
/// version was pinned. Every reader of tree nodes once the database is open pins one (snapshots, writers, whose
/// commits replay on the newest version while their snapshot is pinned, and checkpoints), and pins it from before its
/// first node to after its last. So a check of every version's pins that finds none covers every reader that was
/// running at the eviction, and later readers cannot reach the node.</item>
/// </list>
/// Evicted nodes wait in a list until a transaction ends and finds no pin (<see cref="TryRecycleEvicted"/>). The list is
/// bounded (1,024 nodes, and no more than the pool has room for): while a long snapshot stays pinned, further evicted
/// buffers are left to the garbage collector as before. Recycling needs a moment without any pin, which many busy
/// readers, or writers, may rarely leave: it then recycles little, and the collector takes the rest.</para>
/// </remarks>
internal sealed class PageCache
{
    private readonly ConcurrentDictionary<long, Node> _map;
    private readonly Node?[] _ring;
    private readonly int[] _freeSlots;
    private readonly Lock _clock = new();
    private int _freeCount;
    private int _hand;
    private int _filled;
    private long _lookups;
    private long _misses;

    // Evicted nodes waiting for a moment without pins (see the remarks); the pool and the check are null until the
    // database is open.
    private const int RecycleBatch = 64;

    // At most this many wait (8 MiB of 8 KiB pages), and no more than the pool has room for: while a snapshot stays
    // pinned, evicted nodes beyond it are left to the garbage collector, as they were before recycling.
    private const int MaxWaiting = 16 * RecycleBatch;
    private List<Node> _evicted = [];
    private int _evictedCount;
    private PagePool? _pool;
    private Func<bool>? _nothingPinned;
    private long _recycled;

    public PageCache(long budgetBytes, int pageSize)
    {
        Capacity = (int)Math.Clamp(budgetBytes / pageSize, 16, int.MaxValue / 2);
        _ring = new Node?[Capacity];
        _freeSlots = new int[Capacity];
        _map = new ConcurrentDictionary<long, Node>(Environment.ProcessorCount, Math.Min(Capacity, 1 << 16));
    }

    public int Capacity { get; }

    public int Count => _map.Count;

    /// <summary>The nodes the CLOCK ring holds (equal to <see cref="Count"/> whenever no insert or removal is under way).</summary>
    internal int RingCount
    {
        get
        {
            lock (_clock)
            {
                return _filled - _freeCount;
            }
        }
    }

    public long Lookups => Interlocked.Read(ref _lookups);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Evicted nodes whose buffers went back to the pool (diagnostics).</summary>
    public long EvictedRecycled => Interlocked.Read(ref _recycled);

    /// <summary>Evicted nodes waiting for a moment without pins (diagnostics).</summary>
    internal int EvictedWaiting => Volatile.Read(ref _evictedCount);

    /// <summary>
    /// From now on, keeps evicted nodes for recycling into <paramref name="pool"/> once <paramref name="nothingPinned"/>
    /// finds no version pinned. Called once the database is open: recovery reads nodes without pinning a version.
    /// </summary>
    public void RecycleEvictedBuffers(PagePool pool, Func<bool> nothingPinned)
    {
        lock (_clock)
        {
            _pool = pool;
            _nothingPinned = nothingPinned;
        }
    }

    /// <summary>
    /// Hands the buffers of the nodes evicted so far to the pool if no version is pinned now (see the remarks). Called
    /// when a transaction ends; cheap while fewer than a batch wait.
    /// </summary>
    public void TryRecycleEvicted()
    {
        // Checked first without the lock, which the evictions of other readers take: under a steady load of readers
        // most checks find a pin, and would only contend for it.
        if (Volatile.Read(ref _evictedCount) < RecycleBatch || Volatile.Read(ref _nothingPinned) is not { } nothingPinned
            || !nothingPinned())
        {
            return;
        }

        List<Node>? batch = null;
        PagePool? pool;
        lock (_clock)
        {
            pool = _pool;
            // Every node in the list was evicted under this lock, so before this check.
            if (_evicted.Count >= RecycleBatch && _nothingPinned!())
            {
                batch = _evicted;
                _evicted = new List<Node>(RecycleBatch * 2);
                Volatile.Write(ref _evictedCount, 0);
            }
        }

        if (batch is null)
        {
            return;
        }

        batch.RemoveAll(static node => !node.RecyclableAfterEviction);
        Interlocked.Add(ref _recycled, batch.Count);
        pool!.Return(batch);
    }

    public bool TryGet(PageId id, out Node node)
    {
        _lookups++; // approximate on purpose: an interlocked add here would cost more than the lookup
        if (_map.TryGetValue(id.Value, out node!))
        {
            if (!node.Referenced)
            {
                node.Referenced = true;
            }

            return true;
        }

        Interlocked.Increment(ref _misses);
        return false;
    }

    /// <summary>
    /// Adds or replaces the node for its page (a checkpoint wrote it to a reused page number), evicting an unreferenced
    /// node when the cache is full.
    /// </summary>
    public void Add(Node node) => Insert(node, replace: true);

    /// <summary>
    /// Adds a node just read from disk, unless another reader's load of the same page got there first: then that node
    /// is returned, and this one is dropped, so that two readers never go on with two nodes for one page (only one of
    /// which the cache could evict).
    /// </summary>
    public Node GetOrAdd(Node node) => Insert(node, replace: false);

    private Node Insert(Node node, bool replace)
    {
        var id = node.PageId.Value;
        lock (_clock)
        {
            if (_map.TryGetValue(id, out var previous))
            {
                if (ReferenceEquals(previous, node))
                {
                    return node;
                }

                if (!replace)
                {
                    previous.Referenced = true;
                    return previous;
                }

                ReleaseSlot(previous);
                if (previous.Owner is SpilledPages spills)
                {
                    // A running transaction writes a page it wrote before again: the leaf it had there was copied since.
                    spills.Evicted(previous);
                }
            }

            _map[id] = node;
            int slot;
            if (_freeCount > 0)
            {
                slot = _freeSlots[--_freeCount];
            }
            else if (_filled < _ring.Length)
            {
                slot = _filled++;
            }
            else
            {
                slot = Evict(out var evicted);
                if (evicted.Owner is SpilledPages spills)
                {
                    spills.Evicted(evicted); // a leaf a running transaction wrote early: it recycles the buffer itself
                }
                else if (_pool is not null && !evicted.Shared && _evicted.Count < Math.Min(MaxWaiting, _pool.Capacity - _pool.Count))
                {
                    _evicted.Add(evicted);
                    Volatile.Write(ref _evictedCount, _evicted.Count);
                }
            }

            _ring[slot] = node;
            node.CacheSlot = slot;
            return node;
        }
    }

    /// <summary>
    /// Drops <paramref name="node"/> if it is still the entry for its page number (its buffer is about to be reused),
    /// and frees its ring slot.
    /// </summary>
    public void Remove(Node node)
    {
        node.Referenced = false;
        lock (_clock)
        {
            _map.TryRemove(new KeyValuePair<long, Node>(node.PageId.Value, node));
            ReleaseSlot(node);
        }
    }

    /// <summary>Moves the hand to the first node whose recently-used bit is clear, evicts it and returns its slot.</summary>
    private int Evict(out Node evicted)
    {
        while (true)
        {
            var slot = _hand;
            _hand = (_hand + 1) % _ring.Length;
            var candidate = _ring[slot]!; // the ring is full: no slot is free
            if (candidate.Referenced)
            {
                candidate.Referenced = false;
                continue;
            }

            _map.TryRemove(new KeyValuePair<long, Node>(candidate.PageId.Value, candidate));
            candidate.CacheSlot = -1;
            candidate.MarkEvicted(); // before the unlink: see Node.CacheChild
            candidate.Unlink();
            evicted = candidate;
            return slot;
        }
    }

    private void ReleaseSlot(Node node)
    {
        var slot = node.CacheSlot;
        if (slot >= 0 && ReferenceEquals(_ring[slot], node))
        {
            _ring[slot] = null;
            _freeSlots[_freeCount++] = slot;
            node.Unlink(); // as an eviction would: the branch that cached it must not keep it alive either
        }

        node.CacheSlot = -1;
    }
}
