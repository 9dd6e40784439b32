namespace Persistence.BTree;

/// <summary>
/// What a writer's changes made unreachable: written extents (pages that may be reused once no snapshot and no durable
/// checkpoint can reach them), and in-memory nodes and large values that a checkpoint running concurrently might still
/// write (resolved to extents, or dropped, once that checkpoint has finished).
/// </summary>
internal sealed class FreedSet
{
    public List<Extent> Extents { get; } = [];

    public List<object> Unwritten { get; } = [];

    /// <summary>
    /// Every node freed, written or not: once no version reaches them, their page buffers go back to the
    /// <see cref="Storage.PagePool"/> (<see cref="Transactions.VersionChain"/>), written ones after leaving the page cache.
    /// </summary>
    public List<Node> Superseded { get; } = [];

    public bool IsEmpty => Extents.Count == 0 && Unwritten.Count == 0 && Superseded.Count == 0;

    /// <summary>The pages the writer's transaction wrote early, if it did: freeing one of them hands it to the next spill.</summary>
    public SpilledPages? Spills { get; set; }

    public void Free(Node node)
    {
        var id = node.PageId;
        if (!id.IsNone && Spills is { } spills && spills.InTree.Remove(id.Value))
        {
            // Never reached by any version: no commit frees the page. The node may have been read back from disk by a
            // cache miss, as a node of nobody's: it becomes the transaction's, so its buffer is recycled when evicted.
            spills.Replaced.Add(id.Value);
            node.MarkShared();
            node.Owner = spills;
            return;
        }

        Superseded.Add(node);
        if (id.IsNone)
        {
            Unwritten.Add(node);
        }
        else
        {
            Extents.Add(new Extent(id, 1));
        }
    }

    public void FreeLarge(Node leaf, OverflowRef reference, int pageSize)
    {
        if (!reference.FirstPage.IsNone)
        {
            Extents.Add(new Extent(reference.FirstPage, Overflow.PageCount(reference.Length, pageSize)));
            return;
        }

        var large = leaf.Large![reference.Handle];
        var extent = large.Extent;
        if (extent.IsNone)
        {
            Unwritten.Add(large);
        }
        else
        {
            Extents.Add(new Extent(extent, Overflow.PageCount(large.Length, pageSize)));
        }
    }

    /// <summary>
    /// Replaces unwritten entries by their extents where a checkpoint has since written them; drops the rest unless
    /// <paramref name="checkpointMayStillWrite"/>.
    /// </summary>
    public void Resolve(int pageSize, bool checkpointMayStillWrite)
    {
        for (var i = Unwritten.Count - 1; i >= 0; i--)
        {
            var extent = Unwritten[i] switch
            {
                Node node => node.PageId.IsNone ? (Extent?)null : new Extent(node.PageId, 1),
                LargeValue large => large.Extent.IsNone ? null : new Extent(large.Extent, Overflow.PageCount(large.Length, pageSize)),
                _ => throw new System.Diagnostics.UnreachableException(),
            };
            if (extent is { } written)
            {
                Extents.Add(written);
                Unwritten.RemoveAt(i);
            }
            else if (!checkpointMayStillWrite)
            {
                Unwritten.RemoveAt(i);
            }
        }
    }
}
