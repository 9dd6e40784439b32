using System.Buffers.Binary;
using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Tests.BTree;

public sealed class KeyHeadsTests
{
    public enum KeyShape
    {
        /// <summary>Primary keys: eight big-endian bytes, decided by the heads alone.</summary>
        Int64,

        /// <summary>One to seven bytes: zero-padded heads, proper prefixes of each other.</summary>
        Short,

        /// <summary>A long shared prefix (an index of similar strings): equal heads everywhere.</summary>
        SharedPrefix,

        /// <summary>Everything at once, including bytes 0x00 and 0xFF at the padding boundary.</summary>
        Mixed,

        /// <summary>"user{n}@example.com" strings as the key encoding writes them: a leaf's keys share up to eight bytes.</summary>
        Email,

        /// <summary>Variable-length integer keys (2 to 5 bytes): shared length bytes, heads past them.</summary>
        VarInt,
    }

    [Theory]
    [InlineData(KeyShape.Int64, 4096)]
    [InlineData(KeyShape.Short, 4096)]
    [InlineData(KeyShape.SharedPrefix, 4096)]
    [InlineData(KeyShape.Mixed, 4096)]
    [InlineData(KeyShape.Mixed, 65536)]
    [InlineData(KeyShape.Email, 4096)]
    [InlineData(KeyShape.VarInt, 4096)]
    public void Searches_through_key_heads_find_what_page_searches_find(KeyShape shape, int pageSize)
    {
        var random = new Random((int)shape * 31 + pageSize);
        var source = new InMemoryNodeSource(pageSize, poolPages: 0);
        var model = new SortedSet<byte[]>(ByteComparer.Instance);
        var tree = TreeRoot.Empty;
        var writer = new TreeWriter(new object(), source, new FreedSet());
        for (var i = 0; i < 6000; i++)
        {
            var key = Key(shape, random);
            writer.Put(ref tree, key, key);
            model.Add(key);
        }

        var keys = model.ToArray();
        var probes = keys.Concat(Enumerable.Range(0, 3000).Select(_ => Key(shape, random))).ToArray();

        // A reader (no writer token): the third search of a node builds its heads; later searches use them.
        for (var pass = 0; pass < 4; pass++)
        {
            foreach (var probe in probes)
            {
                var found = TreeReader.TryFind(tree.Root, probe, source, writer: null, out var leaf, out var slot);
                Assert.Equal(model.Contains(probe), found);
                var plain = LeafPage.Find(leaf.Page, probe, out var plainFound);
                Assert.Equal(plainFound, found);
                Assert.Equal(plain, slot);
            }
        }

        Assert.True(tree.Root!.HasKeyHeads, "the root was searched often enough to have key heads");

        var cursor = new TreeCursor(source, writer: null);
        foreach (var probe in probes)
        {
            cursor.Reset(tree.Root);
            var ceiling = ByteComparer.Instance.Compare(probe, keys[^1]) > 0 ? null : model.GetViewBetween(probe, keys[^1]).Min;
            Assert.Equal(ceiling is not null, cursor.Seek(probe));
            if (ceiling is not null)
            {
                Assert.True(cursor.Key.SequenceEqual(ceiling));
            }

            cursor.Reset(tree.Root);
            var floor = ByteComparer.Instance.Compare(probe, keys[0]) < 0 ? null : model.GetViewBetween(keys[0], probe).Max;
            Assert.Equal(floor is not null, cursor.SeekForPrevious(probe));
            if (floor is not null)
            {
                Assert.True(cursor.Key.SequenceEqual(floor));
            }
        }
    }

    [Fact]
    public void A_writer_never_builds_heads_for_nodes_it_may_still_change()
    {
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var owner = new object();
        var writer = new TreeWriter(owner, source, new FreedSet());
        var tree = TreeRoot.Empty;
        var random = new Random(7);
        var model = new SortedSet<byte[]>(ByteComparer.Instance);
        for (var round = 0; round < 20; round++)
        {
            for (var i = 0; i < 300; i++)
            {
                var key = Key(KeyShape.Mixed, random);
                writer.Put(ref tree, key, key);
                model.Add(key);
            }

            // The writer reads its own tree many times between changes: heads built now would go stale.
            foreach (var key in model)
            {
                for (var i = 0; i < 3; i++)
                {
                    Assert.True(TreeReader.TryFind(tree.Root, key, source, owner, out _, out _));
                }
            }

            Assert.False(tree.Root!.HasKeyHeads);
        }
    }

    [Fact]
    public void A_copy_whose_keys_did_not_change_reuses_its_originals_heads_and_one_whose_keys_changed_does_not()
    {
        var source = new InMemoryNodeSource(4096, poolPages: 0);
        var tree = TreeRoot.Empty;
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var load = new TreeWriter(new object(), source, new FreedSet());
        for (var i = 0; i < 3000; i++)
        {
            var key = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(key, i * 7L);
            load.Put(ref tree, key, Value(i, 0));
            model[key] = Value(i, 0);
        }

        SearchAll(tree, model, source);
        var (rootHeads, leafHeads) = (tree.Root!.KeyHeadsArray, LeafOf(tree, model.Keys.First(), source).KeyHeadsArray);
        Assert.NotNull(rootHeads);
        Assert.NotNull(leafHeads);

        // A new value of the same size for an existing key: every node on the path is copied, no key changes.
        var first = model.Keys.First();
        new TreeWriter(new object(), source, new FreedSet()).Put(ref tree, first, Value(0, 1));
        model[first] = Value(0, 1);
        SearchAll(tree, model, source);
        Assert.Same(rootHeads, tree.Root!.KeyHeadsArray);
        Assert.Same(leafHeads, LeafOf(tree, first, source).KeyHeadsArray);

        // New keys in the first leaf until it splits: the leaf's and the root's keys change, so do their heads.
        var grow = new TreeWriter(new object(), source, new FreedSet());
        for (var i = 0; i < 200; i++)
        {
            var key = new byte[9];
            BinaryPrimitives.WriteInt64BigEndian(key, 0);
            key[8] = (byte)i;
            grow.Put(ref tree, key, Value(i, 2));
            model[key] = Value(i, 2);
        }

        SearchAll(tree, model, source);
        Assert.NotSame(rootHeads, tree.Root!.KeyHeadsArray);
        Assert.NotSame(leafHeads, LeafOf(tree, first, source).KeyHeadsArray);

        static void SearchAll(TreeRoot tree, SortedDictionary<byte[], byte[]> model, InMemoryNodeSource source)
        {
            for (var pass = 0; pass < 3; pass++)
            {
                foreach (var (key, value) in model)
                {
                    Assert.True(TreeReader.TryFind(tree.Root, key, source, writer: null, out var leaf, out var slot));
                    Assert.True(TreeReader.Value(leaf, slot, source).SequenceEqual(value));
                }
            }
        }

        static Node LeafOf(TreeRoot tree, byte[] key, InMemoryNodeSource source)
        {
            TreeReader.TryFind(tree.Root, key, source, writer: null, out var leaf, out _);
            return leaf;
        }

        static byte[] Value(int i, int round) => [.. BitConverter.GetBytes(i), .. BitConverter.GetBytes(round), .. new byte[32]]; // few enough per leaf for heads
    }

    /// <summary>
    /// An index of e-mail addresses: the keys of a leaf share their first six or seven bytes, so heads of the first
    /// eight would be nearly all equal and every search would compare keys in the page. Heads start after the shared
    /// bytes, and most are distinct.
    /// </summary>
    [Fact]
    public void Heads_start_after_the_bytes_every_key_of_the_node_shares()
    {
        var source = new InMemoryNodeSource(8192, poolPages: 0);
        var tree = TreeRoot.Empty;
        var writer = new TreeWriter(new object(), source, new FreedSet());
        var random = new Random(5);
        for (var i = 0; i < 20_000; i++)
        {
            var key = EncodeEmail(random.Next(1, 1_000_000));
            writer.Put(ref tree, key, []);
        }

        var probe = EncodeEmail(424_242);
        for (var i = 0; i < 40; i++) // nodes not written yet build heads on their 32nd search
        {
            TreeReader.TryFind(tree.Root, probe, source, writer: null, out _, out _);
        }

        TreeReader.TryFind(tree.Root, probe, source, writer: null, out var leaf, out _);
        var heads = leaf.KeyHeadsArray!;
        var count = leaf.Count;
        var skip = (int)heads[0];
        Assert.InRange(skip, 5, 8); // "user" and at least one digit
        var slotHeads = heads.Skip(KeyHeads.Header).ToArray();
        Assert.Equal(count, slotHeads.Length);
        Assert.True(slotHeads.Distinct().Count() > count * 9 / 10, $"{slotHeads.Distinct().Count()} distinct heads of {count}");
    }

    /// <summary>
    /// A leaf whose keys share "abcd": keys below, above, inside and short of that prefix (and zero bytes where the
    /// padding is) all narrow to a range that holds the slot the plain page search finds.
    /// </summary>
    [Fact]
    public void Keys_outside_the_shared_prefix_narrow_to_the_start_or_the_end()
    {
        var page = new byte[4096];
        PageHeader.Initialize(page, PageType.Leaf, 0);
        string[] keys = ["abcd1", "abcd3", "abcd33", "abcd5", "abcd7x", "abcd9"];
        for (var i = 0; i < keys.Length; i++)
        {
            LeafPage.InsertInline(page, i, System.Text.Encoding.ASCII.GetBytes(keys[i]), []);
        }

        var heads = KeyHeads.Build(page, leaf: true);
        Assert.Equal(4UL, heads[0]);
        string[] probes = ["a", "abc", "abcc", "abcc9", "abcd", "abcd\0", "abcd0", "abcd1", "abcd2", "abcd33", "abcd7", "abcd9", "abcd9\0", "abce", "b", "\0", "\u00ff"];
        foreach (var probe in probes)
        {
            var key = System.Text.Encoding.Latin1.GetBytes(probe);
            var plain = LeafPage.Find(page, key, out var plainFound);
            var (start, end) = KeyHeads.Narrow(heads, 0, key);
            Assert.True(start <= plain && plain <= end, $"{probe}: [{start}, {end}) misses slot {plain}");
            Assert.Equal(plain, LeafPage.Find(page, key, start, end, out var found));
            Assert.Equal(plainFound, found);
        }
    }

    [Fact]
    public void A_head_is_the_first_eight_bytes_zero_padded_for_every_length()
    {
        var random = new Random(9);
        for (var length = 0; length <= 12; length++)
        {
            for (var i = 0; i < 50; i++)
            {
                var key = new byte[length];
                random.NextBytes(key);
                ulong expected = 0;
                for (var b = 0; b < Math.Min(length, 8); b++)
                {
                    expected |= (ulong)key[b] << (56 - (8 * b));
                }

                Assert.Equal(expected, KeyHeads.Of(key));
            }
        }
    }

    [Fact]
    public void Heads_order_like_the_keys_they_start()
    {
        var random = new Random(3);
        for (var i = 0; i < 50_000; i++)
        {
            var x = Key(KeyShape.Mixed, random);
            var y = Key(KeyShape.Mixed, random);
            var keyOrder = Math.Sign(x.AsSpan().SequenceCompareTo(y));
            var headOrder = KeyHeads.Of(x).CompareTo(KeyHeads.Of(y));
            if (headOrder != 0)
            {
                Assert.Equal(keyOrder, Math.Sign(headOrder));
            }
        }
    }

    [Fact]
    public void Equal_range_brackets_exactly_the_equal_heads()
    {
        ulong[] heads = [0, 1, 1, 1, 5, 5, ulong.MaxValue, ulong.MaxValue];
        Assert.Equal((1, 4), KeyHeads.EqualRange(heads, 0, heads.Length, 1));
        Assert.Equal((4, 6), KeyHeads.EqualRange(heads, 0, heads.Length, 5));
        Assert.Equal((4, 4), KeyHeads.EqualRange(heads, 0, heads.Length, 3));
        Assert.Equal((6, 8), KeyHeads.EqualRange(heads, 0, heads.Length, ulong.MaxValue));
        Assert.Equal((2, 4), KeyHeads.EqualRange(heads, 2, heads.Length, 1));
        Assert.Equal((1, 1), KeyHeads.EqualRange(heads, 1, heads.Length, 0));
    }

    [Fact]
    public void Lower_bound_counts_the_smaller_heads_at_every_size_and_position()
    {
        var random = new Random(12);
        ulong[] extremes = [0, 1, (1UL << 63) - 1, 1UL << 63, ulong.MaxValue - 1, ulong.MaxValue];
        for (var length = 0; length <= 700; length += length < 140 ? 1 : 37)
        {
            for (var round = 0; round < 8; round++)
            {
                // Few distinct values in some rounds (long runs of equal heads), the full range in others, including the
                // values an unsigned compare gets wrong when done signed; evenly spaced heads (consecutive ids) and heads
                // bunched at powers of two (a search that guesses positions from values must survive both).
                var heads = new ulong[length];
                for (var i = 0; i < length; i++)
                {
                    heads[i] = round switch
                    {
                        0 => (ulong)random.Next(4),
                        1 => extremes[random.Next(extremes.Length)],
                        2 => 1000 + (3 * (ulong)i),
                        3 => (1UL << random.Next(64)) + (ulong)random.Next(3),
                        _ => (ulong)random.NextInt64() * 2 + (ulong)random.Next(2),
                    };
                }

                Array.Sort(heads);
                var probes = heads.Concat(extremes).Concat(heads.Select(h => h + 1)).Concat(heads.Select(h => h - 1));
                foreach (var head in probes)
                {
                    var expected = heads.Count(h => h < head);
                    Assert.Equal(expected, KeyHeads.LowerBound(heads, head));
                }
            }
        }
    }

    private static byte[] Key(KeyShape shape, Random random)
    {
        switch (shape)
        {
            case KeyShape.Int64:
                var key = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(key, random.NextInt64(0, 100_000));
                return key;
            case KeyShape.Short:
                return RandomBytes(random, random.Next(1, 8), alphabet: 4);
            case KeyShape.SharedPrefix:
                return [.. "user-000"u8, .. RandomBytes(random, random.Next(0, 6), alphabet: 6)];
            case KeyShape.Email:
                return EncodeEmail(random.Next(1, 1_000_000));
            case KeyShape.VarInt:
                var writer = new Persistence.Serialization.KeyWriter(stackalloc byte[16]);
                writer.WriteInt64(random.NextInt64(-70_000, 20_000_000));
                var varint = writer.ToArray();
                writer.Dispose();
                return varint;
            default:
                return random.Next(5) switch
                {
                    0 => Key(KeyShape.Int64, random),
                    1 => Key(KeyShape.Short, random),
                    2 => Key(KeyShape.SharedPrefix, random),
                    3 => Key(KeyShape.Email, random),
                    _ => RandomBytes(random, random.Next(1, 20), alphabet: 3),
                };
        }
    }

    private static byte[] EncodeEmail(int n)
    {
        var writer = new Persistence.Serialization.KeyWriter(stackalloc byte[64]);
        writer.WriteString($"user{n}@example.com");
        var key = writer.ToArray();
        writer.Dispose();
        return key;
    }

    /// <summary>Bytes from a small alphabet that includes 0x00 and 0xFF, so keys share prefixes and padding matters.</summary>
    private static byte[] RandomBytes(Random random, int length, int alphabet)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            var pick = random.Next(alphabet);
            bytes[i] = pick switch { 0 => 0x00, 1 => 0xFF, _ => (byte)(0x30 + pick) };
        }

        return bytes;
    }
}
