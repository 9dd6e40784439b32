namespace Persistence.BTree;

/// <summary>Read-only navigation of a tree: lookups and value access. Safe for any number of concurrent readers.</summary>
internal static partial class TreeReader
{
    public static Node Child(Node branch, int slot, INodeSource source)
    {
        if (branch.ChildAt(slot) is { } child)
        {
            if (!child.Referenced)
            {
                child.Referenced = true; // the page cache's CLOCK bit: swizzled descents bypass its lookup
            }

            return child;
        }

        var loaded = source.Load(BranchPage.Child(branch.Page, slot));
        if (!branch.PageId.IsNone && !loaded.PageId.IsNone)
        {
            branch.CacheChild(slot, loaded);
        }

        return loaded;
    }

    /// <summary>Finds the leaf that holds (or would hold) <paramref name="key"/>.</summary>
    public static bool TryFind(Node? root, ReadOnlySpan<byte> key, INodeSource source, out Node leaf, out int slot) =>
        TryFind(root, key, source, Node.UnknownWriter, out leaf, out slot);

    /// <summary>
    /// As <see cref="TryFind(Node?, ReadOnlySpan{byte}, INodeSource, out Node, out int)"/>, for a transaction's own
    /// reads: <paramref name="writer"/> is the writer's token (null for a read transaction), and every node it cannot
    /// change is searched through its key heads.
    /// </summary>
    public static bool TryFind(Node? root, ReadOnlySpan<byte> key, INodeSource source, object? writer, out Node leaf, out int slot)
    {
        if (root is null)
        {
            leaf = null!;
            slot = 0;
            return false;
        }

        var node = root;
        while (!node.IsLeaf)
        {
            node = Child(node, node.FindChild(key, writer), source);
        }

        leaf = node;
        slot = node.FindInLeaf(key, writer, out var found);
        return found;
    }

    /// <summary>The value at <paramref name="slot"/> of <paramref name="leaf"/>, reading an overflow extent if need be.</summary>
    public static ReadOnlySpan<byte> Value(Node leaf, int slot, INodeSource source)
    {
        var page = leaf.Page;
        if (!LeafPage.IsOverflow(page, slot))
        {
            return LeafPage.InlineValue(page, slot);
        }

        var reference = LeafPage.Overflow(page, slot);
        if (!reference.FirstPage.IsNone)
        {
            return source.ReadOverflow(reference.FirstPage, reference.Length);
        }

        var large = leaf.Large![reference.Handle];
        return large.Data ?? source.ReadOverflow(large.Extent, large.Length);
    }
}
