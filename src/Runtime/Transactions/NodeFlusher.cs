using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Transactions;

/// <summary>
/// Writes the in-memory nodes and large values of one version to free pages, children before parents, then
/// publishes them: each node learns its page number, joins the page cache, and its parent drops the in-memory
/// reference (so the node can be evicted).
/// </summary>
internal sealed class NodeFlusher(PageStore store, FreeSpaceMap freeSpace, long generation)
{
    private readonly Dictionary<Node, PageId> _assigned = new(ReferenceEqualityComparer.Instance);
    private readonly List<Node> _order = [];
    private readonly Dictionary<LargeValue, PageId> _large = new(ReferenceEqualityComparer.Instance);
    private readonly List<(PageId, ReadOnlyMemory<byte>)> _overflowPages = [];
    private readonly List<(PageId, ReadOnlyMemory<byte>)> _pages = [];

    /// <summary>
    /// Extents allocated for this checkpoint's nodes and large values, and the pages transactions wrote before their
    /// commit that this version reaches: everything the checkpoint's bitmap adds.
    /// </summary>
    public List<Extent> Written { get; } = [];

    public int NodesWritten => _order.Count;

    public long BytesWritten { get; private set; }

    /// <summary>Assigns pages to every unwritten node and large value reachable from <paramref name="root"/>.</summary>
    public void Collect(Node? root)
    {
        if (root is null || !root.PageId.IsNone || _assigned.ContainsKey(root))
        {
            return;
        }

        if (root.IsLeaf)
        {
            CollectLargeValues(root);
        }
        else
        {
            for (var i = 0; i < root.Count; i++)
            {
                var child = root.ChildAt(i);
                var page = child?.PageId ?? BranchPage.Child(root.Page, i);
                if (page.IsNone)
                {
                    Collect(child);
                }
                else if (!freeSpace.IsUsed(page.Value))
                {
                    // Written, yet not in the durable bitmap: a leaf a large transaction wrote before its commit
                    // (Checkpointer.SpillLeaves). Nothing else writes data pages outside a checkpoint, and the previous
                    // checkpoint's pages are in the bitmap: this version reaches it, so the bitmap must mark it.
                    Written.Add(new Extent(page, 1));
                }
            }
        }

        var extent = freeSpace.Allocate(1);
        Written.Add(extent);
        _assigned[root] = extent.Start;
        _order.Add(root);
    }

    /// <summary>
    /// Writes the large values, then stamps child and overflow page numbers into the nodes, seals them and writes
    /// them. The order matters: a reader follows an overflow cell's page number as soon as it is stamped (unlike a
    /// branch cell, whose in-memory child reference takes precedence), so the extent must be on disk first.
    /// </summary>
    public void Write()
    {
        store.WritePages(_overflowPages);
        foreach (var node in _order)
        {
            var id = _assigned[node];
            lock (node)
            {
                var page = node.Page;
                if (node.IsLeaf)
                {
                    for (var i = 0; i < node.Count; i++)
                    {
                        if (LeafPage.IsOverflow(page, i) && LeafPage.Overflow(page, i) is { FirstPage.IsNone: true } reference)
                        {
                            LeafPage.SetOverflowPage(page, i, ExtentOf(node.Large![reference.Handle]));
                        }
                    }
                }
                else
                {
                    for (var i = 0; i < node.Count; i++)
                    {
                        if (node.ChildAt(i) is { } child)
                        {
                            BranchPage.SetChild(page, i, child.PageId.IsNone ? _assigned[child] : child.PageId);
                        }
                    }
                }

                PageHeader.Seal(page, id, generation);
            }

            _pages.Add((id, node.Page));
        }

        foreach (var (_, bytes) in _pages.Concat(_overflowPages))
        {
            BytesWritten += bytes.Length;
        }

        store.WritePages(_pages);
    }

    /// <summary>After <see cref="Write"/>: nodes become clean and evictable; large values release their memory.</summary>
    public void Publish()
    {
        foreach (var (value, extent) in _large)
        {
            value.MarkWritten(extent, releaseMemory: true);
        }

        foreach (var node in _order)
        {
            node.MarkWritten(_assigned[node]);
            node.MarkShared(); // unwritten branches made before this checkpoint (copies among them) may still hold it
            store.Cache.Add(node);
        }

        foreach (var node in _order)
        {
            if (node.Children is not { } children)
            {
                continue;
            }

            lock (node)
            {
                for (var i = 0; i < node.Count; i++)
                {
                    if (children[i] is { } child && !child.PageId.IsNone)
                    {
                        Volatile.Write(ref children[i], null);
                    }
                }
            }
        }
    }

    private void CollectLargeValues(Node leaf)
    {
        for (var i = 0; i < leaf.Count; i++)
        {
            if (!LeafPage.IsOverflow(leaf.Page, i) || LeafPage.Overflow(leaf.Page, i) is not { FirstPage.IsNone: true } reference)
            {
                continue;
            }

            var value = leaf.Large![reference.Handle];
            if (!value.Extent.IsNone || _large.ContainsKey(value))
            {
                continue;
            }

            var extent = freeSpace.Allocate(Overflow.PageCount(value.Length, store.PageSize));
            Written.Add(extent);
            _large.Add(value, extent.Start);
            var bytes = Overflow.Encode(value.Data!, extent.Start, store.PageSize, generation);
            _overflowPages.Add((extent.Start, bytes));
        }
    }

    private PageId ExtentOf(LargeValue value) => value.Extent.IsNone ? _large[value] : value.Extent;
}
