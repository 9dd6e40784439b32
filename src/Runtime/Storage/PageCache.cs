using System.Collections.Concurrent;
using Persistence.BTree;

namespace Persistence.Storage;

/// <summary>
/// A bounded cache of clean (written) tree nodes by page number, evicted with the CLOCK algorithm. Lookups are
/// lock-free; inserts and evictions take a short lock.
/// </summary>
/// <remarks>
/// Evicting a node only drops the cache's reference: a reader that already holds the node keeps using it, which is
/// safe because a page is never rewritten while any snapshot can reach it. When a checkpoint reuses a page number it
/// <see cref="Add"/>s the new node, which replaces the stale entry.
/// </remarks>
internal sealed class PageCache
{
    private readonly ConcurrentDictionary<long, Node> _map;
    private readonly Node?[] _ring;
    private readonly Lock _clock = new();
    private int _hand;
    private int _filled;
    private long _lookups;
    private long _misses;

    public PageCache(long budgetBytes, int pageSize)
    {
        Capacity = (int)Math.Clamp(budgetBytes / pageSize, 16, int.MaxValue / 2);
        _ring = new Node?[Capacity];
        _map = new ConcurrentDictionary<long, Node>(Environment.ProcessorCount, Math.Min(Capacity, 1 << 16));
    }

    public int Capacity { get; }

    public int Count => _map.Count;

    public long Lookups => Interlocked.Read(ref _lookups);

    public long Misses => Interlocked.Read(ref _misses);

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

    /// <summary>Adds or replaces the node for its page, evicting an unreferenced node when the cache is full.</summary>
    public void Add(Node node)
    {
        var id = node.PageId.Value;
        _map[id] = node;
        lock (_clock)
        {
            if (_filled < _ring.Length)
            {
                _ring[_filled++] = node;
                return;
            }

            while (true)
            {
                var candidate = _ring[_hand]!;
                if (candidate.Referenced)
                {
                    candidate.Referenced = false;
                    _hand = (_hand + 1) % _ring.Length;
                    continue;
                }

                _map.TryRemove(new KeyValuePair<long, Node>(candidate.PageId.Value, candidate));
                candidate.Unlink();
                _ring[_hand] = node;
                _hand = (_hand + 1) % _ring.Length;
                return;
            }
        }
    }

    /// <summary>
    /// Drops <paramref name="node"/> if it is still the entry for its page number (its buffer is about to be reused). The
    /// CLOCK ring forgets it when its hand comes round, taking it before any node with its recently-used bit set.
    /// </summary>
    public void Remove(Node node)
    {
        node.Referenced = false;
        _map.TryRemove(new KeyValuePair<long, Node>(node.PageId.Value, node));
    }
}
