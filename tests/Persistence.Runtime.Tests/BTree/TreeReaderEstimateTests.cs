using System.Buffers.Binary;
using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Tests.BTree;

/// <summary>
/// <see cref="TreeReader.EstimateRange"/> against exact counts, on trees of several shapes: exact when both bounds land
/// in one leaf, and otherwise within a factor of two of the exact count (<see cref="Within"/>); a tree filled in ascending
/// order, whose nodes are full but for the last of each level, within a quarter, up to its right edge, and one filled in
/// descending order, the mirror, up to its left edge.
/// </summary>
public sealed class TreeReaderEstimateTests
{
    [Theory]
    [InlineData(1, 40, 8)]            // a single leaf
    [InlineData(2, 5_000, 8)]         // a root branch over leaves, ascending inserts
    [InlineData(3, 200_000, 8)]       // three levels, ascending inserts: the last subtree of each level far from full
    public void Estimates_of_ascending_trees_are_within_tolerance_and_exact_inside_one_leaf(int seed, int keys, int valueLength)
    {
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var (tree, present) = Build(source, Enumerable.Range(0, keys).Select(i => i * 2), valueLength);
        CheckRanges(tree, present, source, new Random(seed), factor: 1.25);
    }

    [Theory]
    [InlineData(2, 5_000, 8)]         // a root branch over leaves, descending inserts
    [InlineData(3, 200_000, 8)]       // three levels, descending inserts: the first subtree of each level far from full
    [InlineData(4, 1_000_000, 8)]     // the first leaf of the first subtree has two keys: 1.7 times too few near the start, evenly
    public void Estimates_of_descending_trees_are_within_tolerance_and_exact_inside_one_leaf(int seed, int keys, int valueLength)
    {
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var (tree, present) = Build(source, Enumerable.Range(0, keys).Select(i => (keys - 1 - i) * 2), valueLength);
        Assert.True(tree.Root!.Level >= (keys > 100_000 ? 2 : 1));
        CheckRanges(tree, present, source, new Random(seed), factor: 1.25);
    }

    [Theory]
    [InlineData(5, 40_000, 16)]
    [InlineData(6, 80_000, 16)]
    [InlineData(7, 30_000, 200)] // fat entries: few per leaf
    public void Estimates_of_trees_built_in_random_order_with_deletes_are_within_tolerance(int seed, int keys, int valueLength)
    {
        // Random inserts split leaves anywhere and deletes thin them out: leaves from a quarter to full, unlike the packed
        // leaves of ascending inserts.
        var random = new Random(seed);
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var values = Enumerable.Range(0, keys).Select(i => i * 2).OrderBy(_ => random.Next()).ToList();
        var (tree, present) = Build(source, values, valueLength);
        var writer = new TreeWriter(new object(), source, new FreedSet());
        foreach (var value in values.Where(_ => random.Next(3) == 0))
        {
            Assert.True(writer.Delete(ref tree, Key(value)));
            present.Remove(value);
        }

        Assert.True(tree.Root!.Level >= 1, "the tree should have more than one level");
        CheckRanges(tree, present, source, random, factor: 2);
    }

    /// <summary>
    /// An ascending tree whose leaf before the right edge's was thinned out by deletes (a window of recent keys removed,
    /// the rest of the tree as it was): emptied, it is unlinked; left with one key, it stays underfull beside a full
    /// leaf, and the right edge's shares, read from it as the size of a whole subtree, still keep every range within the
    /// tolerance of a tree with deletes (a guard: the errors of the edge's own subtree and of its siblings stay bounded).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_thinned_leaf_before_the_right_edge_leaves_the_rest_of_an_ascending_tree_estimated(int kept)
    {
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var (tree, present) = Build(source, Enumerable.Range(0, 200_000).Select(i => i * 2), 8);
        Assert.True(tree.Root!.Level >= 2, "the tree should have three levels");
        var edge = Leaf(tree, [], source, last: true);
        var lastKept = present.Max - (2 * edge.Count); // the greatest key of the leaf before the edge's
        var writer = new TreeWriter(new object(), source, new FreedSet());
        foreach (var value in present.Where(v => v <= lastKept).Reverse().Take(MaxLeafKeys(tree.Root!, source) - kept).ToList())
        {
            Assert.True(writer.Delete(ref tree, Key(value)));
            present.Remove(value);
        }

        CheckRanges(tree, present, source, new Random(kept), factor: 2);
    }

    /// <summary>
    /// A three-level tree whose root has split once: two children, one on each edge, the one the fill goes on a fourth
    /// or a tenth of the other. Each edge child's weight is read against the child beside it, which is here the other
    /// edge child, so the two weights are in different units (the ascending tree's ranges past the split were estimated
    /// half the keys they hold).
    /// </summary>
    [Theory]
    [InlineData(true, 10)]
    [InlineData(false, 10)]
    [InlineData(true, 4)]
    [InlineData(false, 4)]
    public void A_root_with_two_children_splits_the_count_by_their_sizes(bool ascending, int ratio)
    {
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var writer = new TreeWriter(new object(), source, new FreedSet());
        var tree = TreeRoot.Empty;
        var present = new SortedSet<int>();
        var value = new byte[8];
        for (var i = 0; ; i++)
        {
            var v = ascending ? i * 2 : 2_000_000 - (i * 2);
            writer.Put(ref tree, Key(v), value);
            present.Add(v);
            if (i % 64 == 0 && tree.Root!.Level == 2 && tree.Root.Count == 2)
            {
                var big = TreeReader.Child(tree.Root, ascending ? 0 : 1, source);
                var small = TreeReader.Child(tree.Root, ascending ? 1 : 0, source);
                if (small.Count * ratio >= big.Count)
                {
                    break;
                }
            }

            Assert.True(i < 10_000_000, "the root should split into two children");
        }

        CheckRanges(tree, present, source, new Random(ratio), factor: 1.25);
    }

    /// <summary>
    /// Trees shaped by runs of ascending, descending and random inserts and by deletes of whole blocks at either end or in
    /// the middle (edge nodes left underfull or with one child), against exact counts: every estimate finite, from zero to
    /// the tree's count, exact when both bounds land in one leaf, and the whole tree its count.
    /// </summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void Estimates_of_randomly_shaped_trees_are_finite_bounded_and_exact_inside_one_leaf(int seed)
    {
        var random = new Random(seed);
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var writer = new TreeWriter(new object(), source, new FreedSet());
        var tree = TreeRoot.Empty;
        var present = new SortedSet<int>();
        var value = new byte[random.Next(4, 64)];
        for (var round = 0; round < 12; round++)
        {
            var start = random.Next(0, 400_000) * 2;
            var length = random.Next(1, 30_000);
            var keys = random.Next(4) switch
            {
                0 => Enumerable.Range(0, length).Select(i => start + (i * 2)),
                1 => Enumerable.Range(0, length).Select(i => start + ((length - i) * 2)),
                2 => Enumerable.Range(0, length).Select(_ => random.Next(0, 800_000) * 2),
                _ => null,
            };
            if (keys is not null)
            {
                foreach (var key in keys)
                {
                    writer.Put(ref tree, Key(key), value);
                    present.Add(key);
                }

                continue;
            }

            // A block of present keys: the first ones, the last ones or some in the middle.
            var block = random.Next(3) switch
            {
                0 => present.Take(length),
                1 => present.Reverse().Take(length),
                _ => present.Skip(random.Next(present.Count)).Take(length),
            };
            foreach (var key in block.ToList())
            {
                Assert.True(writer.Delete(ref tree, Key(key)));
                present.Remove(key);
            }
        }

        Assert.True(present.Count > 0 && tree.Count == present.Count);
        var max = present.Max + 2;
        for (var i = 0; i < 400; i++)
        {
            var a = random.Next(-10, max + 10);
            var length = random.Next(3) switch { 0 => random.Next(0, 12), 1 => random.Next(0, 2_000), _ => random.Next(0, max) };
            var range = random.Next(4) switch
            {
                0 => (KeyRange.From(Key(a)), a, int.MaxValue),
                1 => (KeyRange.To(Key(a)), int.MinValue, a - 1),
                _ => (KeyRange.Between(Key(a), Key(a + length)), a, a + length - 1),
            };
            long exact = range.Item3 < range.Item2 ? 0 : present.GetViewBetween(range.Item2, range.Item3).Count;
            var estimate = TreeReader.EstimateRange(tree, range.Item1, source, Node.UnknownWriter);
            var context = $"[{range.Item2}, {range.Item3}] of {present.Count} keys: exact {exact}, estimate {estimate}";
            Assert.True(double.IsFinite(estimate) && estimate >= 0 && estimate <= present.Count, context);
            if (SameLeaf(tree, range.Item1, source))
            {
                Assert.True(estimate == exact, context + " (bounds in one leaf: exact)");
            }
        }

        Assert.Equal(present.Count, TreeReader.EstimateRange(tree, KeyRange.All, source, Node.UnknownWriter));
    }

    [Fact]
    public void Empty_trees_and_empty_ranges_estimate_no_keys()
    {
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        Assert.Equal(0, TreeReader.EstimateRange(TreeRoot.Empty, KeyRange.All, source, Node.UnknownWriter));

        var (tree, _) = Build(source, Enumerable.Range(0, 20_000).Select(i => i * 2), 8);
        Assert.True(tree.Root!.Level >= 1);
        Assert.Equal(0, TreeReader.EstimateRange(tree, KeyRange.Between(Key(501), Key(502)), source, Node.UnknownWriter)); // between two keys
        Assert.Equal(0, TreeReader.EstimateRange(tree, KeyRange.Between(Key(30_000), Key(500)), source, Node.UnknownWriter)); // reversed bounds
        Assert.Equal(0, TreeReader.EstimateRange(tree, KeyRange.Between(Key(700), Key(700)), source, Node.UnknownWriter)); // [k, k)
        Assert.Equal(0, TreeReader.EstimateRange(tree, KeyRange.From(Key(40_000)), source, Node.UnknownWriter)); // past the last key
        Assert.Equal(0, TreeReader.EstimateRange(tree, KeyRange.To(Key(0)), source, Node.UnknownWriter)); // before the first key
        Assert.Equal(1, TreeReader.EstimateRange(tree, KeyRange.Between(Key(700), Key(700), upperInclusive: true), source, Node.UnknownWriter));
        Assert.Equal(20_000, TreeReader.EstimateRange(tree, KeyRange.All, source, Node.UnknownWriter));
    }

    /// <summary>
    /// The error allowed: within <paramref name="factor"/> of the exact count (two when nodes hold from half their
    /// capacity to all of it), give or take two leaves' worth of keys.
    /// </summary>
    private static bool Within(double estimate, long exact, int perLeaf, double factor) =>
        estimate >= (exact / factor) - (2 * perLeaf) && estimate <= (exact * factor) + (2 * perLeaf);

    private static void CheckRanges(TreeRoot tree, SortedSet<int> present, INodeSource source, Random random, double factor)
    {
        var max = present.Max + 2;
        var perLeaf = MaxLeafKeys(tree.Root!, source);
        var ranges = new List<(KeyRange Range, int Lower, int Upper)>
        {
            (KeyRange.All, int.MinValue, int.MaxValue),
            (KeyRange.From(Key(max / 3)), max / 3, int.MaxValue),
            (KeyRange.To(Key(max / 3)), int.MinValue, (max / 3) - 1),
            (KeyRange.From(Key(max / 2), inclusive: false), (max / 2) + 1, int.MaxValue),
            (KeyRange.To(Key(max / 2), inclusive: true), int.MinValue, max / 2),
        };
        // Near the right edge: the last subtrees of an ascending fill are not full, so these are where a top-down split
        // of the count by the fan-out overestimates.
        foreach (var fraction in (double[])[0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995])
        {
            var from = (int)(max * fraction);
            ranges.Add((KeyRange.From(Key(from)), from, int.MaxValue));
            ranges.Add((KeyRange.Between(Key(from), Key(from + (max / 100))), from, from + (max / 100) - 1));

            // The mirror, near the left edge, where a descending fill leaves the first subtree of each level not full.
            var to = max - from;
            ranges.Add((KeyRange.To(Key(to)), int.MinValue, to - 1));
            ranges.Add((KeyRange.Between(Key(to - (max / 100)), Key(to)), to - (max / 100), to - 1));
        }

        for (var i = 0; i < 300; i++)
        {
            var a = random.Next(-10, max + 10);
            var length = random.Next(4) switch { 0 => random.Next(0, 12), 1 => random.Next(0, 200), _ => random.Next(0, max) };
            ranges.Add((KeyRange.Between(Key(a), Key(a + length)), a, a + length - 1));
        }

        foreach (var (range, lower, upper) in ranges)
        {
            long exact = present.GetViewBetween(Math.Max(lower, int.MinValue), Math.Max(lower, upper)).Count;
            if (upper < lower)
            {
                exact = 0;
            }

            var estimate = TreeReader.EstimateRange(tree, range, source, Node.UnknownWriter);
            var context = $"[{lower}, {upper}] of {present.Count} keys: exact {exact}, estimate {estimate}";
            if (SameLeaf(tree, range, source))
            {
                Assert.True(estimate == exact, context + " (bounds in one leaf: exact)");
            }
            else
            {
                Assert.True(Within(estimate, exact, perLeaf, factor), context);
            }
        }
    }

    /// <summary>True when both bounds of <paramref name="range"/> lead to the same leaf.</summary>
    private static bool SameLeaf(TreeRoot tree, KeyRange range, INodeSource source)
    {
        var first = Leaf(tree, range.HasLower ? range.Lower : [], source, last: false);
        var last = Leaf(tree, range.HasUpper ? range.Upper : [], source, last: !range.HasUpper);
        return ReferenceEquals(first, last);
    }

    private static Node Leaf(TreeRoot tree, ReadOnlySpan<byte> key, INodeSource source, bool last)
    {
        var node = tree.Root!;
        while (!node.IsLeaf)
        {
            node = TreeReader.Child(node, last ? node.Count - 1 : node.FindChild(key, Node.UnknownWriter), source);
        }

        return node;
    }

    private static int MaxLeafKeys(Node node, INodeSource source)
    {
        if (node.IsLeaf)
        {
            return node.Count;
        }

        var most = 0;
        for (var i = 0; i < node.Count; i++)
        {
            most = Math.Max(most, MaxLeafKeys(TreeReader.Child(node, i, source), source));
        }

        return most;
    }

    private static (TreeRoot Tree, SortedSet<int> Present) Build(INodeSource source, IEnumerable<int> values, int valueLength)
    {
        var writer = new TreeWriter(new object(), source, new FreedSet());
        var tree = TreeRoot.Empty;
        var present = new SortedSet<int>();
        var value = new byte[valueLength];
        foreach (var v in values)
        {
            writer.Put(ref tree, Key(v), value);
            present.Add(v);
        }

        return (tree, present);
    }

    /// <summary>An ordered key: the value's bits with the sign flipped, big-endian, so byte order is numeric order.</summary>
    private static byte[] Key(int value)
    {
        var key = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(key, (uint)value ^ 0x8000_0000);
        return key;
    }
}
