using System.Buffers;
using Persistence.Storage;

namespace Persistence.BTree;

internal sealed partial class TreeWriter
{
    /// <summary>
    /// Splits a full leaf while inserting a cell at <paramref name="slot"/>: the node keeps the left part, a new node
    /// takes the right part. <paramref name="order"/> is 1 when keys have been arriving in ascending order at this
    /// point, -1 when descending, 0 otherwise (see <see cref="ChooseSplit"/>).
    /// </summary>
    private Split SplitLeaf(Node node, int slot, ReadOnlySpan<byte> key, NewCell cell, ReadOnlySpan<byte> value, bool rightmost, int order)
    {
        var page = node.Page;
        var count = SlottedPage.Count(page);
        var n = count + 1;
        var sizes = n <= 512 ? stackalloc int[n] : new int[n];
        for (var i = 0; i < n; i++)
        {
            sizes[i] = SlottedPage.SlotSize + (i == slot
                ? cell.Size(key.Length)
                : LeafPage.CellLength(page, SlottedPage.CellOffset(page, i < slot ? i : i - 1)));
        }

        var k = ChooseSplit(sizes, slot, rightmost, order);
        var run = node.InsertRun;
        var right = NewNode(PageType.Leaf, 0);
        NodesCreated++;
        if (node.Large is not { Count: > 0 })
        {
            // No cell refers to a value not yet written by its index in the node's list: the cells of the right part move
            // verbatim (none for an append to the last leaf), and the new cell goes into its half.
            var firstMoved = slot < k ? k - 1 : k;
            SlottedPage.MoveCells(page, firstMoved, count - firstMoved, right.Page, 0);
            var (target, targetSlot) = slot < k ? (node, slot) : (right, slot - k);
            InsertCell(target, targetSlot, key, cell, value);
        }
        else
        {
            RebuildSplit(node, right, slot, k, n, key, cell, value);
        }

        // The half that took the new key remembers it, so a run of ordered inserts carries on across the split.
        var (taker, other, at) = slot < k ? (node, right, slot) : (right, node, slot - k);
        taker.SetInsertHistory(at, order != 0 ? run : 0);
        other.SetInsertHistory(-1, 0);
        var separator = ShortestSeparator(LeafPage.Key(node.Page, k - 1), LeafPage.Key(right.Page, 0));
        return new Split(separator, right);
    }

    /// <summary>
    /// Splits by rebuilding the node from a copy of its page, so that both halves' lists of values not yet written
    /// are built anew: combined slot <paramref name="slot"/> is the new cell, the first <paramref name="k"/> of the
    /// <paramref name="n"/> stay in the node.
    /// </summary>
    private void RebuildSplit(Node node, Node right, int slot, int k, int n, ReadOnlySpan<byte> key, NewCell cell, ReadOnlySpan<byte> value)
    {
        var old = ScratchCopy(node.Page);
        try
        {
            var oldLarge = node.Large;
            PageHeader.Initialize(node.Page, PageType.Leaf, 0);
            node.Large = null;
            for (var i = 0; i < n; i++)
            {
                var target = i < k ? node : right;
                var targetSlot = i < k ? i : i - k;
                if (i == slot)
                {
                    InsertCell(target, targetSlot, key, cell, value);
                }
                else
                {
                    CopyLeafCell(old, oldLarge, i < slot ? i : i - 1, target, targetSlot);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    /// <summary>
    /// A copy of <paramref name="page"/>'s header, slots and cells (<see cref="SlottedPage.CopyUsed"/>) to read from
    /// while the page itself is rebuilt, in a buffer from the shared array pool: the caller returns it.
    /// </summary>
    private static byte[] ScratchCopy(byte[] page)
    {
        var copy = ArrayPool<byte>.Shared.Rent(page.Length);
        SlottedPage.CopyUsed(page, copy);
        return copy;
    }

    /// <summary>Splits a full branch while inserting the separator and child of a split below it at <paramref name="slot"/>.</summary>
    private Split SplitBranch(Node node, int slot, Split below, bool rightmost)
    {
        var old = ScratchCopy(node.Page);
        try
        {
            var oldChildren = node.Children is { } c ? (Node?[])c.Clone() : null;
            var n = SlottedPage.Count(old) + 1;
            var sizes = n <= 1024 ? stackalloc int[n] : new int[n];
            for (var i = 0; i < n; i++)
            {
                sizes[i] = SlottedPage.SlotSize + (i == slot
                    ? BranchPage.CellSize(below.Separator.Length)
                    : BranchPage.CellLength(old, SlottedPage.CellOffset(old, i < slot ? i : i - 1)));
            }

            var k = ChooseSplit(sizes, slot, rightmost, order: 0, old, below.Separator.Length);
            var up = (k == slot ? below.Separator : BranchPage.Key(old, k < slot ? k : k - 1)).ToArray();
            var level = node.Level;
            PageHeader.Initialize(node.Page, PageType.Branch, level);
            node.Children = null;
            var right = NewNode(PageType.Branch, level);
            NodesCreated++;
            for (var i = 0; i < n; i++)
            {
                var target = i < k ? node : right;
                var targetSlot = i < k ? i : i - k;
                ReadOnlySpan<byte> cellKey;
                PageId childId;
                Node? child;
                if (i == slot)
                {
                    cellKey = below.Separator;
                    childId = PageId.None;
                    child = below.Right;
                }
                else
                {
                    var o = i < slot ? i : i - 1;
                    cellKey = BranchPage.Key(old, o);
                    childId = BranchPage.Child(old, o);
                    child = oldChildren?[o];
                }

                BranchPage.Insert(target.Page, targetSlot, targetSlot == 0 ? [] : cellKey, childId);
                target.InsertChildSlot(targetSlot, child);
            }
            return new Split(up, right);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    private void CopyLeafCell(byte[] source, List<LargeValue>? sourceLarge, int sourceSlot, Node target, int targetSlot)
    {
        if (LeafPage.IsOverflow(source, sourceSlot) && LeafPage.Overflow(source, sourceSlot) is { FirstPage.IsNone: true } reference)
        {
            target.Large ??= [];
            target.Large.Add(sourceLarge![reference.Handle]);
            LeafPage.InsertOverflow(target.Page, targetSlot, LeafPage.Key(source, sourceSlot), reference with { Handle = target.Large.Count - 1 });
            return;
        }

        LeafPage.CopyCell(source, sourceSlot, target.Page, targetSlot);
    }

    /// <summary>
    /// Picks the first slot of the right half. Appends to the rightmost node leave the left half full (ascending
    /// loads then fill pages completely). A run of ordered inserts elsewhere (<paramref name="order"/> 1 ascending, -1
    /// descending) splits at the new key, so that the pages the run leaves behind are full too. Otherwise the halves
    /// are balanced by bytes, nudged until both fit. For a branch (<paramref name="branch"/> is its old page) the right half's first key moves up to the parent.
    /// </summary>
    private int ChooseSplit(ReadOnlySpan<int> sizes, int insertedAt, bool rightmost, int order, byte[]? branch = null, int insertedKeyLength = 0)
    {
        var n = sizes.Length;
        var total = 0;
        foreach (var size in sizes)
        {
            total += size;
        }

        if (rightmost && insertedAt == n - 1 && Fits(sizes, n - 1))
        {
            return n - 1;
        }

        // An ascending run at the end of the node: the new key alone goes right, the full node stays. In the middle, the
        // new key stays left and the cells after it go right, so that they do not travel with the run (each page left
        // behind would hold them too). A descending run mirrors both.
        var runSplit = order switch
        {
            > 0 => insertedAt == n - 1 ? insertedAt : insertedAt + 1,
            < 0 => insertedAt == 0 ? 1 : insertedAt,
            _ => -1,
        };
        if (runSplit >= 1 && runSplit <= n - 1 && Fits(sizes, runSplit))
        {
            return runSplit;
        }

        var k = 0;
        var acc = 0;
        while (k < n && acc + sizes[k] <= total / 2)
        {
            acc += sizes[k++];
        }

        for (var delta = 0; delta < n; delta++)
        {
            foreach (var candidate in (ReadOnlySpan<int>)[k + delta, k - delta])
            {
                if (candidate >= 1 && candidate <= n - 1 && Fits(sizes, candidate))
                {
                    return candidate;
                }
            }
        }

        throw new System.Diagnostics.UnreachableException("No split point fits two maximal cells in a page.");

        bool Fits(ReadOnlySpan<int> s, int at)
        {
            var left = 0;
            for (var i = 0; i < at; i++)
            {
                left += s[i];
            }

            var right = total - left;
            if (branch is not null)
            {
                // A branch's right half starts with an empty key: its first separator moves up.
                right -= at == insertedAt ? insertedKeyLength : BranchPage.Key(branch, at < insertedAt ? at : at - 1).Length;
            }

            return left <= Limits.Usable && right <= Limits.Usable;
        }
    }

    /// <summary>The shortest key s with <paramref name="leftMax"/> &lt; s ≤ <paramref name="rightMin"/>.</summary>
    internal static byte[] ShortestSeparator(ReadOnlySpan<byte> leftMax, ReadOnlySpan<byte> rightMin)
    {
        var common = leftMax.CommonPrefixLength(rightMin);
        return rightMin[..Math.Min(common + 1, rightMin.Length)].ToArray();
    }
}
