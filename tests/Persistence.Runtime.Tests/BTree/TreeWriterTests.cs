using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Tests.BTree;

public sealed class TreeWriterTests
{
    [Theory]
    [InlineData(4096, 1)]
    [InlineData(4096, 2)]
    [InlineData(8192, 3)]
    [InlineData(65536, 4)]
    public void Random_puts_and_deletes_match_a_sorted_model(int pageSize, int seed)
    {
        var random = new Random(seed);
        var source = new InMemoryNodeSource(pageSize, poolPages: 0);
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var tree = TreeRoot.Empty;
        var snapshots = new List<(TreeRoot Tree, KeyValuePair<byte[], byte[]>[] Model)>();
        for (var round = 0; round < 40; round++)
        {
            var writer = new TreeWriter(new object(), source, new FreedSet());
            for (var i = 0; i < 500; i++)
            {
                var key = RandomKey(random, pageSize);
                if (random.Next(3) == 0)
                {
                    Assert.Equal(model.Remove(key), writer.Delete(ref tree, key));
                }
                else
                {
                    var value = RandomValue(random, pageSize);
                    Assert.Equal(!model.ContainsKey(key), writer.Put(ref tree, key, value));
                    model[key] = value;
                }
            }

            Assert.Equal(model.Count, tree.Count);
            AssertSameContents(tree, model.ToArray(), source, $"seed {seed} round {round}");
            snapshots.Add((tree, model.ToArray()));
        }

        // Copy-on-write: every earlier version still reads exactly as it did.
        foreach (var (old, oldModel) in snapshots)
        {
            AssertSameContents(old, oldModel, source, $"seed {seed} snapshot");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Ascending_runs_mixed_with_other_keys_stay_in_order(int seed)
    {
        // Runs of ascending keys (each Age's index entries) make inserts try the slot after the last one first; keys
        // out of the run, before it and after what follows it, and deletes under it must still land in order.
        var random = new Random(seed);
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var writer = new TreeWriter(new object(), source, new FreedSet());
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var tree = TreeRoot.Empty;
        var next = new int[8];
        for (var i = 0; i < 20_000; i++)
        {
            var run = random.Next(next.Length);
            var key = random.Next(10) == 0 ? [(byte)random.Next(8), (byte)random.Next(256), (byte)random.Next(256)]
                : new byte[] { (byte)run, (byte)(next[run] >> 8), (byte)next[run]++ };
            if (random.Next(20) == 0)
            {
                Assert.Equal(model.Remove(key), writer.Delete(ref tree, key));
                continue;
            }

            Assert.Equal(!model.ContainsKey(key), writer.Put(ref tree, key, key));
            model[key] = key;
        }

        AssertSameContents(tree, model.ToArray(), source, $"seed {seed}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void An_ascending_load_mixed_with_earlier_keys_stays_in_order(int seed)
    {
        // A key past a rightmost branch's last separator goes to its last child without a search. Keys at or before
        // that separator (replacing a stored key, or falling between two) must still take the search.
        var random = new Random(seed);
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var writer = new TreeWriter(new object(), source, new FreedSet());
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var tree = TreeRoot.Empty;
        var stored = new List<byte[]>();
        for (long i = 0; i < 30_000; i++)
        {
            byte[] key;
            switch (random.Next(8))
            {
                case 0 when stored.Count > 0:
                    key = stored[random.Next(stored.Count)]; // replaces
                    break;
                case 1 when stored.Count > 0:
                    key = [.. stored[random.Next(stored.Count)], 0x80]; // between a stored key and the next
                    break;
                default:
                    key = new byte[8];
                    System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(key, i);
                    stored.Add(key);
                    break;
            }

            var value = new byte[200]; // about 18 to a leaf: three levels
            BitConverter.TryWriteBytes(value, i);
            Assert.Equal(!model.ContainsKey(key), writer.Put(ref tree, key, value));
            model[key] = value;
        }

        Assert.True(tree.Root!.Level >= 2, "the load should make a tree of three levels at least");
        AssertSameContents(tree, model.ToArray(), source, $"seed {seed}");
    }

    [Fact]
    public void Ascending_load_fills_leaves_almost_completely()
    {
        var source = new InMemoryNodeSource(8192, poolPages: 0);
        var writer = new TreeWriter(new object(), source, new FreedSet());
        var tree = TreeRoot.Empty;
        for (long i = 0; i < 20_000; i++)
        {
            var key = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(key, i);
            writer.Put(ref tree, key, new byte[100]);
        }

        var leaves = CountLeaves(tree.Root!, source);
        var perLeaf = (8192 - 32) / (2 + 4 + 8 + 100);
        Assert.True(leaves <= (20_000 / perLeaf) + 2, $"{leaves} leaves for {20_000 / perLeaf} pages of data");
    }

    /// <summary>
    /// Keys that arrive in order within groups while the groups interleave at random, as an index on Age receives the
    /// ascending ids of new documents: each group's run splits leaves at the insertion point, so the leaves it leaves
    /// behind are full. Balanced splits would leave them about half full. With <paramref name="keysPerWriter"/> below
    /// the total, each writer works on copies of the last one's nodes, which carry the run on.
    /// </summary>
    [Theory]
    [InlineData(true, 40_000)]
    [InlineData(false, 40_000)]
    [InlineData(true, 50)]
    public void Ordered_runs_inside_the_tree_fill_the_leaves_they_pass(bool ascending, int keysPerWriter)
    {
        const int Groups = 4;
        const int Keys = 40_000;
        var random = new Random(7);
        var source = new InMemoryNodeSource(8192, poolPages: 0);
        var tree = TreeRoot.Empty;
        var next = new long[Groups];
        TreeWriter? writer = null;
        for (var i = 0; i < Keys; i++)
        {
            if (i % keysPerWriter == 0)
            {
                writer = new TreeWriter(new object(), source, new FreedSet());
            }

            var group = random.Next(Groups);
            var key = new byte[9];
            key[0] = (byte)group;
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(1), ascending ? next[group]++ : Keys - next[group]++);
            Assert.True(writer!.Put(ref tree, key, []));
        }

        var leaves = CountLeaves(tree.Root!, source);
        var perLeaf = (8192 - 32) / (2 + 4 + 9);
        Assert.True(leaves <= (Keys / perLeaf * 1.1) + (2 * Groups), $"{leaves} leaves for {Keys / perLeaf} pages of data");
        var expected = Enumerable.Range(0, Groups).Sum(g => next[g]);
        Assert.Equal(expected, tree.Count);
    }

    /// <summary>
    /// Random inserts into one writer's tree and into trees that each commit copies: a full leaf first evens out with a
    /// neighbour that has room, and a split beside full neighbours spreads over one of them, so leaves end up about 86%
    /// full (84% without the spread, 69% with splits alone).
    /// </summary>
    [Theory]
    [InlineData(30_000)]
    [InlineData(100)]
    public void Random_inserts_even_out_full_leaves_with_their_neighbours(int keysPerWriter)
    {
        const int Keys = 30_000;
        var random = new Random(11);
        var source = new InMemoryNodeSource(8192, poolPages: 0);
        var tree = TreeRoot.Empty;
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        TreeWriter? writer = null;
        long shifted = 0;
        for (var i = 0; i < Keys; i++)
        {
            if (i % keysPerWriter == 0)
            {
                shifted += writer?.ShiftedCells ?? 0;
                writer = new TreeWriter(new object(), source, new FreedSet());
            }

            var key = new byte[random.Next(6, 30)];
            random.NextBytes(key);
            var value = new byte[random.Next(0, 40)];
            random.NextBytes(value);
            Assert.Equal(model.TryAdd(key, value), writer!.Put(ref tree, key, value));
            model[key] = value;
        }

        shifted += writer!.ShiftedCells;
        AssertSameContents(tree, model.ToArray(), source, $"{keysPerWriter} keys per writer");
        var used = model.Sum(e => SlottedPage.SlotSize + LeafPage.CellSize(e.Key.Length, e.Value.Length));
        var fill = (double)used / (CountLeaves(tree.Root!, source) * (8192 - 32));
        Assert.True(shifted > 0 && fill > 0.85, $"leaves {fill:P1} full; {shifted} cells shifted");
    }

    /// <summary>
    /// A leaf's record of ordered inserts survives what moves its cells. Two leaves: the first full (an ascending load
    /// leaves it so), the second holding an ascending run in the middle. An insert into the first evens it out with the
    /// second, whose front gains cells: its record of the run moves with its slots, so the run's next key still
    /// continues it. The run then goes on until the leaf splits at the new key: the half that took it keeps the record.
    /// Without either, the run restarts at zero and the pages it leaves behind are half empty.
    /// </summary>
    [Fact]
    public void An_ordered_run_carries_on_across_an_even_out_and_a_split()
    {
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var writer = new TreeWriter(new object(), source, new FreedSet());
        var tree = TreeRoot.Empty;
        var value = new byte[100];
        for (long i = 0; i < 40; i++)
        {
            writer.Put(ref tree, Key(i * 1000), value);
        }

        Assert.Equal(2, tree.Root!.Count); // the first leaf full, the second with the last keys
        var first = TreeReader.Child(tree.Root, 0, source);
        var second = TreeReader.Child(tree.Root, 1, source);
        var firstCount = first.Count;
        var secondKey = LeafPage.Key(second.Page, 0).ToArray();

        // An ascending run after the second leaf's first key.
        var run = 0;
        for (; run < 3; run++)
        {
            InsertRunKey(run);
        }

        Assert.True(LeafOf(secondKey).InsertRun >= 2);

        // The first leaf is full: a new key there evens it out with the second, which gains cells at its front.
        writer.Put(ref tree, Key(500), value);
        Assert.True(writer.ShiftedCells > 0);
        Assert.True(TreeReader.Child(tree.Root!, 0, source).Count < firstCount);

        // The run carries on in the second leaf, through its split at the new key.
        var leaves = CountLeaves(tree.Root!, source);
        for (; CountLeaves(tree.Root!, source) == leaves || run < 10; run++)
        {
            InsertRunKey(run);
        }

        // And after the split, in the half that took the last key.
        InsertRunKey(run);

        void InsertRunKey(int i)
        {
            var key = Key(Key36() + 1 + i);
            writer.Put(ref tree, key, value);
            var leaf = LeafOf(key);
            var slot = LeafPage.Find(leaf.Page, key, out var found);
            Assert.True(found);
            Assert.Equal(slot, leaf.LastInsert);
            if (i >= 2)
            {
                Assert.True(leaf.InsertRun >= 2, $"run key {i}: the leaf's run is {leaf.InsertRun}");
            }
        }

        long Key36() => System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(secondKey);

        Node LeafOf(byte[] key)
        {
            var node = tree.Root!;
            while (!node.IsLeaf)
            {
                node = TreeReader.Child(node, BranchPage.FindChild(node.Page, key), source);
            }

            return node;
        }

        static byte[] Key(long i)
        {
            var key = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(key, i);
            return key;
        }
    }

    [Fact]
    public void Deleting_everything_empties_the_tree()
    {
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var writer = new TreeWriter(new object(), source, new FreedSet());
        var tree = TreeRoot.Empty;
        var keys = Enumerable.Range(0, 5000).Select(i => BitConverter.GetBytes(i * 7919)).ToArray();
        foreach (var key in keys)
        {
            writer.Put(ref tree, key, key);
        }

        foreach (var key in keys.Reverse())
        {
            Assert.True(writer.Delete(ref tree, key));
        }

        Assert.Null(tree.Root);
        Assert.Equal(0, tree.Count);
    }

    [Fact]
    public void Shortest_separator_lies_between_its_neighbours()
    {
        var random = new Random(5);
        for (var i = 0; i < 10_000; i++)
        {
            var a = RandomKey(random, 4096);
            var b = RandomKey(random, 4096);
            var cmp = a.AsSpan().SequenceCompareTo(b);
            if (cmp == 0)
            {
                continue;
            }

            var (low, high) = cmp < 0 ? (a, b) : (b, a);
            var separator = TreeWriter.ShortestSeparator(low, high);
            Assert.True(low.AsSpan().SequenceCompareTo(separator) < 0);
            Assert.True(separator.AsSpan().SequenceCompareTo(high) <= 0);
        }
    }

    internal static void AssertSameContents(TreeRoot tree, KeyValuePair<byte[], byte[]>[] expected, INodeSource source, string context)
    {
        var cursor = new TreeCursor(source, Node.UnknownWriter);
        cursor.Reset(tree.Root);
        var i = 0;
        for (var ok = cursor.SeekFirst(); ok; ok = cursor.Next(), i++)
        {
            Assert.True(i < expected.Length, $"{context}: more keys than expected");
            Assert.True(cursor.Key.SequenceEqual(expected[i].Key), $"{context}: key {i} differs");
            Assert.True(cursor.Value.SequenceEqual(expected[i].Value), $"{context}: value {i} differs");
        }

        Assert.Equal(expected.Length, i);
        i = expected.Length - 1;
        for (var ok = cursor.SeekLast(); ok; ok = cursor.Previous(), i--)
        {
            Assert.True(cursor.Key.SequenceEqual(expected[i].Key), $"{context}: backward key {i} differs");
        }

        Assert.Equal(-1, i);
        foreach (var (key, value) in expected.Take(200))
        {
            Assert.True(TreeReader.TryFind(tree.Root, key, source, out var leaf, out var slot), context);
            Assert.True(TreeReader.Value(leaf, slot, source).SequenceEqual(value), context);
            Assert.True(cursor.Seek(key) && cursor.Key.SequenceEqual(key), context);
            Assert.True(cursor.SeekForPrevious(key) && cursor.Key.SequenceEqual(key), context);
        }
    }

    private static int CountLeaves(Node node, INodeSource source)
    {
        if (node.IsLeaf)
        {
            return 1;
        }

        var total = 0;
        for (var i = 0; i < node.Count; i++)
        {
            total += CountLeaves(TreeReader.Child(node, i, source), source);
        }

        return total;
    }

    private static byte[] RandomKey(Random random, int pageSize)
    {
        // Mostly short keys from a small alphabet (many shared prefixes and repeats), sometimes maximal ones.
        var length = random.Next(10) == 0 ? random.Next(1, (pageSize / 8) + 1) : random.Next(1, 6);
        var key = new byte[length];
        for (var i = 0; i < length; i++)
        {
            key[i] = (byte)random.Next(0, 4);
        }

        return key;
    }

    private static byte[] RandomValue(Random random, int pageSize)
    {
        var length = random.Next(20) switch
        {
            0 => random.Next(pageSize / 4, pageSize * 3), // overflow
            1 => (pageSize - 32) / 4,                     // largest inline
            _ => random.Next(0, 64),
        };
        var value = new byte[length];
        random.NextBytes(value);
        return value;
    }
}
