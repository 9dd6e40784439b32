using Persistence.BTree;

namespace Persistence.Transactions;

/// <summary>
/// Finds what must move for the file to shrink below a page: every key whose leaf, an ancestor of that leaf, or whose
/// own overflow extent lies at or above the limit. Re-putting those keys with their current values rewrites exactly
/// those nodes and values, and the next checkpoint writes them to the lowest free pages.
/// </summary>
internal static class Relocation
{
    /// <summary>Walks a version (reading every node) and lists, per keyspace, the keys to re-put.</summary>
    public static Dictionary<int, List<byte[]>> KeysToMove(DbVersion version, INodeSource source, long limit)
    {
        var result = new Dictionary<int, List<byte[]>>();
        foreach (var keyspace in version.Catalog.Keyspaces)
        {
            var keys = new List<byte[]>();
            if (version.Root(keyspace.Id).Root is { } root)
            {
                Walk(root, source, limit, ancestorMoves: false, keys);
            }

            if (keys.Count > 0)
            {
                result[keyspace.Id] = keys;
            }
        }

        return result;
    }

    private static void Walk(Node node, INodeSource source, long limit, bool ancestorMoves, List<byte[]> keys)
    {
        var moves = ancestorMoves || node.PageId.Value >= limit;
        if (!node.IsLeaf)
        {
            for (var i = 0; i < node.Count; i++)
            {
                Walk(TreeReader.Child(node, i, source), source, limit, moves, keys);
            }

            return;
        }

        for (var i = 0; i < node.Count; i++)
        {
            var overflowMoves = LeafPage.IsOverflow(node.Page, i) && OverflowStart(node, i).Value >= limit;
            if ((moves && i == 0) || overflowMoves)
            {
                keys.Add(LeafPage.Key(node.Page, i).ToArray());
            }
        }
    }

    private static Storage.PageId OverflowStart(Node leaf, int slot)
    {
        var reference = LeafPage.Overflow(leaf.Page, slot);
        return reference.FirstPage.IsNone ? leaf.Large![reference.Handle].Extent : reference.FirstPage;
    }
}
