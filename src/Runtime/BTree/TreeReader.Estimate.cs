namespace Persistence.BTree;

internal static partial class TreeReader
{
    /// <summary>
    /// An estimate of the keys of <paramref name="tree"/> in <paramref name="range"/>, read from the tree itself with two
    /// descents, one to each bound (an "index dive"), through <paramref name="source"/> like every read, so every page it
    /// loads is verified. While both bounds fall in the same child the descent is shared; where they part, each goes on
    /// alone to its leaf. The keys inside the range in the two leaves are counted exactly; the children strictly between
    /// the two paths where they part, and those beside each path below (right of the lower path, left of the upper one),
    /// count as whole subtrees. A whole subtree's size is its parent's divided by the parent's children, starting from the
    /// tree's count at the root and, below the branch where the paths part, dividing by the average of the two paths'
    /// nodes at each level: the average fan-out below.
    /// </summary>
    /// <remarks>
    /// Exact when both bounds land in the same leaf (a single-leaf tree, or a range inside one leaf); otherwise off only
    /// by how much the whole subtrees counted differ from that average: within a factor of about two, as the split policy
    /// keeps nodes from half to full (the last subtree of a tree filled in ascending order, not yet full, is the usual
    /// exception, and skews the average toward more keys than it holds). Never more than the tree's count. Loads at most two pages per level.
    /// <paramref name="writer"/> is the token of the write transaction that reads its own tree (null for a read
    /// transaction), as in <see cref="TryFind(Node?, ReadOnlySpan{byte}, INodeSource, object?, out Node, out int)"/>.
    /// </remarks>
    public static double EstimateRange(TreeRoot tree, KeyRange range, INodeSource source, object? writer)
    {
        if (tree.Root is not { } node || tree.Count == 0)
        {
            return 0;
        }

        if (!range.HasLower && !range.HasUpper)
        {
            return tree.Count;
        }

        double size = tree.Count;
        while (!node.IsLeaf)
        {
            var lower = LowerChild(node, range, writer);
            var upper = UpperChild(node, range, writer);
            if (lower > upper)
            {
                return 0; // the upper bound lies below the lower one
            }

            size /= node.Count;
            if (lower != upper)
            {
                return Math.Min(tree.Count, Apart(Child(node, lower, source), Child(node, upper, source), upper - lower - 1, size, range, source, writer));
            }

            node = Child(node, lower, source);
        }

        return Math.Max(0, UpperSlot(node, range, writer) - LowerSlot(node, range, writer));
    }

    /// <summary>
    /// The keys in the range below a branch where the two bounds part: the subtree <paramref name="low"/> from the lower
    /// bound on, <paramref name="between"/> whole subtrees, and the subtree <paramref name="high"/> up to the upper bound;
    /// each of those subtrees holds about <paramref name="size"/> keys.
    /// </summary>
    private static double Apart(Node low, Node high, int between, double size, KeyRange range, INodeSource source, object? writer)
    {
        // Descend both paths together (the tree is balanced): at each level, the children beside them in the range.
        var estimate = between * size;
        while (!low.IsLeaf)
        {
            var lowSlot = LowerChild(low, range, writer);
            var highSlot = UpperChild(high, range, writer);
            size /= (low.Count + high.Count) / 2.0;
            estimate += (low.Count - 1 - lowSlot + highSlot) * size;
            low = Child(low, lowSlot, source);
            high = Child(high, highSlot, source);
        }

        return estimate + low.Count - LowerSlot(low, range, writer) + UpperSlot(high, range, writer);
    }

    private static int LowerChild(Node branch, KeyRange range, object? writer) => range.HasLower ? branch.FindChild(range.Lower, writer) : 0;

    private static int UpperChild(Node branch, KeyRange range, object? writer) =>
        range.HasUpper ? branch.FindChild(range.Upper, writer) : branch.Count - 1;

    /// <summary>The first slot of <paramref name="leaf"/> inside the range's lower bound.</summary>
    private static int LowerSlot(Node leaf, KeyRange range, object? writer)
    {
        if (!range.HasLower)
        {
            return 0;
        }

        var slot = leaf.FindInLeaf(range.Lower, writer, out var found);
        return found && !range.LowerInclusive ? slot + 1 : slot;
    }

    /// <summary>The first slot of <paramref name="leaf"/> past the range's upper bound.</summary>
    private static int UpperSlot(Node leaf, KeyRange range, object? writer)
    {
        if (!range.HasUpper)
        {
            return leaf.Count;
        }

        var slot = leaf.FindInLeaf(range.Upper, writer, out var found);
        return found && range.UpperInclusive ? slot + 1 : slot;
    }
}
