using Persistence.BTree;
using Persistence.Storage;
using Persistence.Testing;

namespace Persistence.Tests.BTree;

/// <summary>
/// Every page a tree writer leaves behind is exact: its cells lie between its upper bound and its end without
/// overlapping, its free bytes add up (the cells that moved to a neighbour by an even-out or a split stay behind as
/// fragmented bytes until the page compacts), and every cell of a value not yet written refers to an entry of its
/// node's list. Under random puts and deletes with large values, and through checkpoints and reopens.
/// </summary>
public sealed class PageInvariantTests
{
    /// <summary>Asserts the page invariants above for one page (and its node's list of values not yet written).</summary>
    internal static void CheckPage(byte[] page, List<LargeValue>? large, string context)
    {
        var count = SlottedPage.Count(page);
        var upper = SlottedPage.Upper(page);
        var lower = SlottedPage.Lower(page);
        Assert.True(lower <= upper && upper <= page.Length, $"{context}: lower {lower} upper {upper}");
        var cells = new List<(int Offset, int Length)>();
        for (var i = 0; i < count; i++)
        {
            var offset = SlottedPage.CellOffset(page, i);
            var length = SlottedPage.CellLength(page, offset);
            Assert.True(offset >= upper && offset + length <= page.Length, $"{context}: cell {i} at {offset}+{length} outside [{upper},{page.Length})");
            cells.Add((offset, length));
            if (PageHeader.GetType(page) == PageType.Leaf && LeafPage.IsOverflow(page, i) && LeafPage.Overflow(page, i) is { FirstPage.IsNone: true } r)
            {
                Assert.True(large is not null && r.Handle < large.Count, $"{context}: handle {r.Handle} of slot {i} outside Large ({large?.Count})");
            }
        }

        cells.Sort();
        for (var i = 1; i < cells.Count; i++)
        {
            Assert.True(cells[i - 1].Offset + cells[i - 1].Length <= cells[i].Offset, $"{context}: cells overlap");
        }

        Assert.Equal(page.Length - upper, cells.Sum(c => c.Length) + SlottedPage.Fragmented(page));
    }

    /// <summary>Checks every page of the subtree under <paramref name="node"/>.</summary>
    internal static void CheckTree(Node node, INodeSource source, string context)
    {
        CheckPage(node.Page, node.Large, context);
        if (!node.IsLeaf)
        {
            for (var i = 0; i < node.Count; i++)
            {
                CheckTree(TreeReader.Child(node, i, source), source, context);
            }
        }
    }

    [Theory]
    [InlineData(4096, 1, 0)]
    [InlineData(4096, 2, 20)]
    [InlineData(8192, 3, 0)]
    [InlineData(8192, 4, 50)]
    public void Pages_stay_exact_under_random_puts_deletes_and_even_outs(int pageSize, int seed, int largeOneIn)
    {
        var random = new Random(seed);
        var source = new InMemoryNodeSource(pageSize, poolPages: 0);
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var tree = TreeRoot.Empty;
        for (var round = 0; round < 60; round++)
        {
            var writer = new TreeWriter(new object(), source, new FreedSet());
            for (var i = 0; i < 400; i++)
            {
                var key = new byte[random.Next(1, 24)];
                random.NextBytes(key);
                if (model.Count > 0 && random.Next(6) == 0)
                {
                    var victim = model.Keys.ElementAt(random.Next(model.Count));
                    Assert.True(writer.Delete(ref tree, victim));
                    model.Remove(victim);
                    continue;
                }

                var length = largeOneIn > 0 && random.Next(largeOneIn) == 0 ? random.Next(pageSize / 4 + 1, pageSize) : random.Next(0, 200);
                var value = new byte[length];
                random.NextBytes(value);
                Assert.Equal(!model.ContainsKey(key), writer.Put(ref tree, key, value));
                model[key] = value;
                if (i % 25 == 0)
                {
                    CheckTree(tree.Root!, source, $"seed {seed} round {round} op {i}");
                }
            }

            CheckTree(tree.Root!, source, $"seed {seed} round {round}");
            TreeWriterTests.AssertSameContents(tree, model.ToArray(), source, $"seed {seed} round {round}");
        }
    }

    /// <summary>
    /// The same through a database: values of which about one in twelve overflow (written ones then move between leaves
    /// as cells), a checkpoint every 7 commits, a reopen with a consistency check every 50, a full scan against the
    /// model every 10.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Random_writes_with_large_values_checkpoints_and_reopens_read_back_exactly(int seed)
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs);
        var random = new Random(seed);
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        db.Write(tx => tx.CreateKeyspace("k"));
        for (var commit = 0; commit < 150; commit++)
        {
            db.Write(tx =>
            {
                var ks = tx.GetKeyspace("k");
                for (var i = 0; i < 60; i++)
                {
                    var key = new byte[random.Next(1, 16)];
                    random.NextBytes(key);
                    if (model.Count > 0 && random.Next(8) == 0)
                    {
                        var victim = model.Keys.ElementAt(random.Next(model.Count));
                        tx.Delete(ks, victim);
                        model.Remove(victim);
                        continue;
                    }

                    var length = random.Next(12) == 0 ? random.Next(1100, 6000) : random.Next(0, 120);
                    var value = new byte[length];
                    random.NextBytes(value);
                    tx.Put(ks, key, value);
                    model[key] = value;
                }
            });
            if (commit % 7 == 0)
            {
                db.Checkpoint();
            }

            if (commit % 50 == 49)
            {
                db = TestDatabases.CloseCheckAndReopen(db, fs);
            }

            if (commit % 10 == 0)
            {
                using var read = db.BeginRead();
                var ks = read.GetKeyspace("k");
                Assert.Equal(model.Select(e => (e.Key, e.Value)), read.Scan(ks).Select(e => (e.Key, e.Value)), new PairComparer());
            }
        }

        db = TestDatabases.CloseCheckAndReopen(db, fs);
        using (var read = db.BeginRead())
        {
            var ks = read.GetKeyspace("k");
            Assert.Equal(model.Select(e => (e.Key, e.Value)), read.Scan(ks).Select(e => (e.Key, e.Value)), new PairComparer());
        }

        db.Dispose();
    }

    private sealed class PairComparer : IEqualityComparer<(byte[], byte[])>
    {
        public bool Equals((byte[], byte[]) x, (byte[], byte[]) y) => x.Item1.AsSpan().SequenceEqual(y.Item1) && x.Item2.AsSpan().SequenceEqual(y.Item2);

        public int GetHashCode((byte[], byte[]) obj) => obj.Item1.Length;
    }
}
