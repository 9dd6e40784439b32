namespace Persistence.BTree;

internal static partial class TreeReader
{
    /// <summary>
    /// An estimate of the keys of <paramref name="tree"/> in <paramref name="range"/>, read from the tree itself with two
    /// descents, one to each bound (an "index dive"), through <paramref name="source"/> like every read, so every page it
    /// loads is verified. While both bounds fall in the same child the descent is shared; where they part, each goes on
    /// alone to its leaf. The keys inside the range in the two leaves are counted exactly; the children strictly between
    /// the two paths where they part, and those beside each path below (right of the lower path, left of the upper one),
    /// count as whole subtrees. A whole subtree's size is its parent's shared among the parent's children, starting from
    /// the tree's count at the root: evenly, but for a node on one of the tree's edges (<see cref="EdgeWeights"/>), whose
    /// edge child takes the share its fill says.
    /// </summary>
    /// <remarks>
    /// Exact when both bounds land in the same leaf (a single-leaf tree, or a range inside one leaf); otherwise off only
    /// by how much the whole subtrees counted differ from their share: within a factor of about two, as the split policy
    /// keeps nodes from half to full. The edges are the exception the shares correct: a tree filled in ascending key
    /// order has full nodes but for the last one of each level, and an even split gave a subtree near the end several
    /// times the keys it holds; a tree filled in descending order has the mirror shape, its first node of each level not
    /// full (a million keys were estimated 1.7 times too few near the start). Never more than the tree's count. Loads at
    /// most six pages per level: the two paths, and each edge with the node beside it at each level (pages that a fill
    /// in that order keeps in the cache).
    /// <paramref name="writer"/> is the token of the write transaction that reads its own tree (null for a read
    /// transaction), as in <see cref="TryFind(Node?, ReadOnlySpan{byte}, INodeSource, object?, out Node, out int)"/>.
    /// </remarks>
    public static double EstimateRange(TreeRoot tree, KeyRange range, INodeSource source, object? writer)
    {
        if (tree.Root is not { } root || tree.Count == 0)
        {
            return 0;
        }

        if (!range.HasLower && !range.HasUpper)
        {
            return tree.Count;
        }

        var node = new Sized(root, tree.Count, OnFirst: true, OnLast: true);
        var shares = root.IsLeaf ? default : new Edges(EdgeWeights(root, source, first: true), EdgeWeights(root, source, first: false));
        while (!node.Node.IsLeaf)
        {
            var lower = LowerChild(node.Node, range, writer);
            var upper = UpperChild(node.Node, range, writer);
            if (lower > upper)
            {
                return 0; // the upper bound lies below the lower one
            }

            if (lower != upper)
            {
                // The children strictly between the paths are neither the first nor the last: each the same size.
                var between = upper - lower > 1 ? (upper - lower - 1) * node.ChildSize(lower + 1, shares) : 0;
                var low = node.Child(lower, shares, source);
                var high = node.Child(upper, shares, source);
                return Math.Min(tree.Count, between + Apart(low, high, shares, range, source, writer));
            }

            node = node.Child(lower, shares, source);
        }

        return Math.Max(0, UpperSlot(node.Node, range, writer) - LowerSlot(node.Node, range, writer));
    }

    /// <summary>
    /// The keys in the range below a branch where the two bounds part: the subtree <paramref name="low"/> from the lower
    /// bound on and the subtree <paramref name="high"/> up to the upper bound.
    /// </summary>
    private static double Apart(Sized low, Sized high, Edges shares, KeyRange range, INodeSource source, object? writer)
    {
        // Descend both paths together (the tree is balanced): at each level, the children beside them in the range, each
        // the size its own parent gives it.
        var estimate = 0.0;
        while (!low.Node.IsLeaf)
        {
            var lowSlot = LowerChild(low.Node, range, writer);
            var highSlot = UpperChild(high.Node, range, writer);
            for (var slot = lowSlot + 1; slot < low.Node.Count; slot++)
            {
                estimate += low.ChildSize(slot, shares);
            }

            for (var slot = 0; slot < highSlot; slot++)
            {
                estimate += high.ChildSize(slot, shares); // left of the path: the first of them on the left edge, its own share
            }

            low = low.Child(lowSlot, shares, source);
            high = high.Child(highSlot, shares, source);
        }

        return estimate + low.Node.Count - LowerSlot(low.Node, range, writer) + UpperSlot(high.Node, range, writer);
    }

    /// <summary>
    /// For each level of the tree from 1 to the root's (index: the level), the keys under the edge child of the node on
    /// one edge at that level (its first child on the first node of the level, with <paramref name="first"/>; its last
    /// child on the last node otherwise), itself on that edge, as a multiple of the keys of a whole subtree beside it.
    /// Read bottom-up from the edge and, at each level, the child beside the edge's (a node that is not on the edge, full
    /// in a fill in that edge's order): the edge node at level <c>h</c> holds its other children as whole subtrees the
    /// size of that sibling's (its count times the size of such a subtree below), plus its edge child. Two pages per
    /// level; the weights depend only on the tree, not on the range. Each level's weight comes with the keys it was
    /// measured from (<see cref="EdgeChild"/>).
    /// </summary>
    private static EdgeChild[] EdgeWeights(Node root, INodeSource source, bool first)
    {
        var levels = root.Level;
        var edge = new Node[levels + 1];
        var beside = new Node[levels];
        edge[levels] = root;
        for (var level = levels; level > 0; level--)
        {
            var node = edge[level];
            edge[level - 1] = Child(node, first ? 0 : node.Count - 1, source);
            beside[level - 1] = node.Count > 1 ? Child(node, first ? 1 : node.Count - 2, source) : edge[level - 1];
        }

        var weights = new EdgeChild[levels + 1];
        double whole = beside[0].Count; // the keys of a whole subtree at the level below, by the sibling's
        double under = edge[0].Count;   // the keys under the edge node at the level below
        for (var level = 1; level <= levels; level++)
        {
            weights[level] = new(whole > 0 ? under / whole : 1, under);
            under = ((edge[level].Count - 1) * whole) + under;
            whole = level < levels ? beside[level].Count * whole : whole;
        }

        return weights;
    }

    /// <summary>The edge children of the nodes on the first and the last edge (<see cref="EdgeWeights"/>), by level.</summary>
    private readonly record struct Edges(EdgeChild[] First, EdgeChild[] Last);

    /// <summary>
    /// The edge child of the node on one edge at a level: <paramref name="Weight"/>, its keys as a multiple of a whole
    /// sibling's, and <paramref name="Keys"/>, the keys estimated under it.
    /// </summary>
    private readonly record struct EdgeChild(double Weight, double Keys);

    /// <summary>
    /// A node on a path with the estimated keys under it; <paramref name="OnFirst"/> when it is the first node of its level,
    /// <paramref name="OnLast"/> when it is the last, whose edge child's share is its weight (<see cref="EdgeWeights"/>)
    /// against its siblings' one each rather than an even one.
    /// </summary>
    private readonly record struct Sized(Node Node, double Keys, bool OnFirst, bool OnLast)
    {
        /// <summary>The estimated keys under the child at <paramref name="slot"/>.</summary>
        public double ChildSize(int slot, Edges shares)
        {
            var count = Node.Count;
            if (count == 1 || (!OnFirst && !OnLast))
            {
                return Keys / count;
            }

            if (OnFirst && OnLast && count == 2)
            {
                // Each child is the sibling the other's weight was measured against, so the weights are in different
                // units (a tree whose root has just split: a small child's weight counts the large one's keys in small
                // subtrees); the keys estimated under each split the count instead.
                var (before, after) = (shares.First[Node.Level].Keys, shares.Last[Node.Level].Keys);
                return before + after > 0 ? Keys * (slot == 0 ? before : after) / (before + after) : Keys / count;
            }

            var first = OnFirst ? shares.First[Node.Level].Weight : 1;
            var last = OnLast ? shares.Last[Node.Level].Weight : 1;
            var total = count - 2 + first + last;
            return total <= 0 ? Keys / count : Keys * (slot == 0 ? first : slot == count - 1 ? last : 1) / total;
        }

        public Sized Child(int slot, Edges shares, INodeSource source) =>
            new(TreeReader.Child(Node, slot, source), ChildSize(slot, shares), OnFirst && slot == 0, OnLast && slot == Node.Count - 1);
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
