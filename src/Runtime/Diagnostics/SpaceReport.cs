using Persistence.BTree;

namespace Persistence.Diagnostics;

/// <summary>How one keyspace's tree uses its pages: what bytes on disk per document are made of.</summary>
internal readonly record struct KeyspaceSpace(string Name, long Keys, long LeafPages, long BranchPages, long LeafBytesUsed, long KeyBytes, long ValueBytes)
{
    /// <summary>The share of leaf page bytes (past the header) that hold slots and live cells.</summary>
    public double LeafFill(int pageSize) => LeafPages == 0 ? 0 : (double)LeafBytesUsed / (LeafPages * (pageSize - Storage.PageHeader.Size));

    public override string ToString() =>
        $"{Name}: {Keys} keys, {LeafPages} leaf + {BranchPages} branch pages, keys {KeyBytes / (double)Math.Max(1, Keys):0.0} B, values {ValueBytes / (double)Math.Max(1, Keys):0.0} B per key";
}

/// <summary>
/// Walks every keyspace of the newest visible version and counts its pages, the bytes its leaves use and the bytes of
/// its keys and values. Diagnostics for the benchmark's bytes-per-document figure; it reads every page.
/// </summary>
internal static class SpaceReport
{
    public static IReadOnlyList<KeyspaceSpace> Describe(Database database)
    {
        using var read = database.BeginRead();
        var result = new List<KeyspaceSpace>();
        foreach (var keyspace in read.GetKeyspaces())
        {
            var totals = new Totals();
            if (read.CurrentRoot(keyspace.Id).Root is { } root)
            {
                Walk(root, database.Source, ref totals);
            }

            result.Add(new KeyspaceSpace(keyspace.Name, totals.Keys, totals.Leaves, totals.Branches, totals.LeafUsed, totals.KeyBytes, totals.ValueBytes));
        }

        return result;
    }

    private static void Walk(Node node, INodeSource source, ref Totals totals)
    {
        var page = node.Page;
        if (node.IsLeaf)
        {
            totals.Leaves++;
            totals.LeafUsed += SlottedPage.UsedSpace(page);
            var count = node.Count;
            totals.Keys += count;
            for (var slot = 0; slot < count; slot++)
            {
                totals.KeyBytes += LeafPage.Key(page, slot).Length;
                totals.ValueBytes += LeafPage.IsOverflow(page, slot) ? LeafPage.Overflow(page, slot).Length : LeafPage.InlineValue(page, slot).Length;
            }

            return;
        }

        totals.Branches++;
        for (var slot = 0; slot < node.Count; slot++)
        {
            Walk(TreeReader.Child(node, slot, source), source, ref totals);
        }
    }

    private struct Totals
    {
        public long Keys;
        public long Leaves;
        public long Branches;
        public long LeafUsed;
        public long KeyBytes;
        public long ValueBytes;
    }
}
