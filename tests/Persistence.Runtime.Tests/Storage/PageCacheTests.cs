using System.Runtime.CompilerServices;
using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Tests.Storage;

/// <summary>
/// The CLOCK ring holds exactly the nodes the cache's dictionary holds: a node removed (its buffer about to be reused)
/// or replaced by a newer node for its page number gives its slot to the next insert at once, instead of occupying the
/// ring, and keeping its page buffer alive, until the hand comes round.
/// </summary>
public sealed class PageCacheTests
{
    private const int PageSize = 4096;
    private const int Capacity = 16;

    [Fact]
    public void A_removed_node_gives_its_slot_to_the_next_insert_and_no_live_node_is_evicted()
    {
        var cache = new PageCache(Capacity * PageSize, PageSize);
        var nodes = Enumerable.Range(1, Capacity).Select(NewNode).ToArray();
        foreach (var node in nodes)
        {
            cache.Add(node);
        }

        for (var i = 10; i < 14; i++)
        {
            cache.Remove(nodes[i]);
        }

        Assert.Equal(Capacity - 4, cache.Count);
        Assert.Equal(Capacity - 4, cache.RingCount);
        for (var page = 100; page < 104; page++)
        {
            cache.Add(NewNode(page));
        }

        // The four inserts took the four free slots; before, the hand evicted four live, unreferenced nodes.
        Assert.Equal(Capacity, cache.Count);
        Assert.Equal(Capacity, cache.RingCount);
        foreach (var node in nodes.Where((_, i) => i is < 10 or >= 14))
        {
            Assert.True(cache.TryGet(node.PageId, out var cached));
            Assert.Same(node, cached);
        }
    }

    [Fact]
    public void A_node_replaced_for_its_page_number_leaves_the_ring()
    {
        var cache = new PageCache(Capacity * PageSize, PageSize);
        for (var page = 1; page <= 8; page++)
        {
            cache.Add(NewNode(page));
        }

        for (var round = 0; round < 5; round++)
        {
            for (var page = 1; page <= 8; page++)
            {
                cache.Add(NewNode(page)); // a checkpoint reusing the page number
            }
        }

        Assert.Equal(8, cache.Count);
        Assert.Equal(8, cache.RingCount);
    }

    [Fact]
    public void Two_loads_of_one_page_share_the_first_node()
    {
        var cache = new PageCache(Capacity * PageSize, PageSize);
        var first = NewNode(5);
        var second = NewNode(5);
        Assert.Same(first, cache.GetOrAdd(first));
        Assert.Same(first, cache.GetOrAdd(second)); // a concurrent reader's load: it goes on with the cached node
        Assert.Equal(1, cache.RingCount);

        var written = NewNode(5);
        cache.Add(written); // a checkpoint wrote the page number again: the new node replaces the old
        Assert.True(cache.TryGet(new PageId(5), out var cached));
        Assert.Same(written, cached);
        Assert.Equal(1, cache.RingCount);
    }

    [Fact]
    public void Eviction_still_bounds_the_cache_and_spares_recently_used_nodes()
    {
        var cache = new PageCache(Capacity * PageSize, PageSize);
        var nodes = Enumerable.Range(1, Capacity).Select(NewNode).ToArray();
        foreach (var node in nodes)
        {
            cache.Add(node);
        }

        Assert.True(cache.TryGet(nodes[0].PageId, out _)); // sets its recently-used bit
        for (var page = 100; page < 100 + Capacity - 1; page++)
        {
            cache.Add(NewNode(page));
        }

        Assert.Equal(Capacity, cache.Count);
        Assert.Equal(Capacity, cache.RingCount);
        Assert.True(cache.TryGet(nodes[0].PageId, out var survivor));
        Assert.Same(nodes[0], survivor);
        Assert.False(cache.TryGet(nodes[1].PageId, out _));
    }

    [Fact]
    public void The_ring_does_not_keep_a_removed_node_alive()
    {
        var cache = new PageCache(Capacity * PageSize, PageSize);
        var weak = AddAndRemove(cache);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(weak.TryGetTarget(out _), "the removed node (and its page buffer) is still reachable");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<Node> AddAndRemove(PageCache cache)
    {
        var node = NewNode(7);
        cache.Add(node);
        cache.Add(NewNode(8));
        cache.Remove(node);
        return new WeakReference<Node>(node);
    }

    private static Node NewNode(int page) => new(new byte[PageSize], new PageId(page));
}
