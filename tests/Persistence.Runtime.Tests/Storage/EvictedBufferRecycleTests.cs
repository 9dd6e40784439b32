using Persistence.BTree;
using Persistence.Storage;
using Persistence.Testing;
using Persistence.Transactions;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Storage;

/// <summary>
/// The page cache hands the buffers of evicted nodes back to the page pool once no version is pinned
/// (<see cref="PageCache"/>), and never those of nodes something else may still reference. Recycled buffers are poisoned
/// (<see cref="PoisonRecycledPages"/>): a node read after its buffer was recycled shows garbage, which the value checks
/// (or the pool's own check when the buffer is rented again) catch.
/// </summary>
public sealed class EvictedBufferRecycleTests
{
    private const int Keys = 4000;

    [Fact]
    public void Reads_larger_than_the_cache_reuse_evicted_buffers_and_see_correct_values()
    {
        using var db = Loaded(out var ks);
        var store = db.Store!;
        var allocatedBefore = store.Pages.Allocated;
        GetRandomKeys(db, ks, count: 3000, seed: 1);

        Assert.True(store.Cache.EvictedRecycled > 1000, $"recycled {store.Cache.EvictedRecycled}");
        Assert.True(store.Pages.Reused > 1000, $"reused {store.Pages.Reused}");

        // Misses now mostly take recycled buffers: far fewer new ones than reads that missed.
        var allocated = store.Pages.Allocated - allocatedBefore;
        Assert.True(allocated < store.Cache.Misses / 2, $"allocated {allocated} for {store.Cache.Misses} misses");
        AssertConsistent(db);
    }

    [Fact]
    public void A_pinned_snapshot_holds_back_recycling_and_still_reads_what_it_found_before_the_evictions()
    {
        using var db = Loaded(out var ks);
        var cache = db.Store!.Cache;
        var recycledBefore = cache.EvictedRecycled;
        using (var longReader = db.BeginRead())
        {
            // The long reader holds a cursor positioned on a leaf; other readers then evict every node in the cache.
            using var cursor = longReader.OpenCursor(ks);
            Assert.True(cursor.First());
            GetRandomKeys(db, ks, count: 2000, seed: 2);

            Assert.Equal(recycledBefore, cache.EvictedRecycled);
            Assert.True(cache.EvictedWaiting > 0);

            // The cursor's leaf (evicted meanwhile) still holds its keys and values.
            var expected = 0;
            do
            {
                Assert.Equal(expected, KeyOf(cursor.Key));
                Assert.Equal(0, Round(expected, cursor.Value));
                expected++;
            }
            while (cursor.Next());

            Assert.Equal(Keys, expected);
        }

        using (db.BeginRead())
        {
        }

        Assert.True(cache.EvictedRecycled > recycledBefore);
    }

    [Fact]
    public void A_version_root_is_never_recycled()
    {
        var root = WrittenNode(PageType.Leaf);
        var version = new DbVersion(1, [new TreeRoot(root, 0)], Catalog.Empty, 0);
        Assert.Same(root, version.Roots[0].Root);
        root.MarkEvicted();
        root.Unlink();
        Assert.False(root.RecyclableAfterEviction);
    }

    [Fact]
    public void An_evicted_child_is_recyclable_only_when_no_branch_kept_it()
    {
        // Cached by one branch, unlinked by the eviction: recyclable.
        var (branch, child) = BranchWithCachedChild();
        Assert.False(child.RecyclableAfterEviction); // not evicted yet
        child.MarkEvicted();
        child.Unlink();
        Assert.Null(branch.ChildAt(0));
        Assert.True(child.RecyclableAfterEviction);

        // The branch's children were copied into a writable branch: the copy still holds the child.
        (branch, child) = BranchWithCachedChild();
        var copy = branch.CloneFor(new object(), longLived: false, new PagePool(4096, 0), reachableFrom: 0);
        Assert.Same(child, copy.ChildAt(0));
        child.MarkEvicted();
        child.Unlink();
        Assert.False(child.RecyclableAfterEviction);

        // Cached by a second branch (the same page under two versions' branches): it moves, the first forgets it.
        (branch, child) = BranchWithCachedChild();
        var other = WrittenNode(PageType.Branch, children: 1);
        other.CacheChild(0, child);
        Assert.Null(branch.ChildAt(0));
        child.MarkEvicted();
        child.Unlink();
        Assert.Null(other.ChildAt(0));
        Assert.True(child.RecyclableAfterEviction);

        // ...but a copy of the first branch, made before the move, still holds it.
        (branch, child) = BranchWithCachedChild();
        _ = branch.CloneFor(new object(), longLived: false, new PagePool(4096, 0), reachableFrom: 0);
        other = WrittenNode(PageType.Branch, children: 1);
        other.CacheChild(0, child);
        child.MarkEvicted();
        child.Unlink();
        Assert.False(child.RecyclableAfterEviction);

        // Linked by a reader that found it just before its eviction, after the eviction unlinked it.
        (branch, child) = BranchWithCachedChild();
        child.MarkEvicted();
        child.Unlink();
        branch.CacheChild(0, child);
        Assert.False(child.RecyclableAfterEviction);

        // Put into a writable branch by a writer.
        (branch, child) = BranchWithCachedChild();
        var writable = branch.CloneFor(new object(), longLived: false, new PagePool(4096, 0), reachableFrom: 0);
        var loose = WrittenNode(PageType.Leaf);
        writable.SetChild(0, loose, new PagePool(4096, 0));
        loose.MarkEvicted();
        loose.Unlink();
        Assert.False(loose.RecyclableAfterEviction);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Readers_writers_and_checkpoints_with_a_tiny_cache_see_correct_values_while_evicted_buffers_are_recycled(int seed)
    {
        using var db = Loaded(out var ks);
        var rounds = new int[Keys];
        var failures = new List<string>();
        void Fail(string message)
        {
            lock (failures)
            {
                if (failures.Count < 20)
                {
                    failures.Add(message);
                }
            }
        }

        var stop = new CancellationTokenSource();
        var writer = Dedicated(() =>
        {
            try
            {
                var random = new Random(seed);
                for (var round = 1; round <= 300; round++)
                {
                    db.Write(tx =>
                    {
                        for (var op = 0; op < 1 + random.Next(30); op++)
                        {
                            var i = random.Next(Keys);
                            tx.Put(ks, Key(i), Value(i, round));
                        }
                    }, new RetryPolicy { MaxAttempts = 1000 });
                    if (round % 20 == 0)
                    {
                        db.Checkpoint();
                    }

                    Thread.Sleep(1); // read-only moments, in which the nodes readers load stay unshared

                }
            }
            catch (Exception ex)
            {
                Fail($"writer: {ex}");
            }
        });
        var readers = Enumerable.Range(0, 2).Select(r => Dedicated(() =>
        {
            var random = new Random((seed * 10) + r);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    using var tx = db.BeginRead();
                    if (random.Next(50) == 0)
                    {
                        var expected = 0;
                        foreach (var (key, value) in tx.Scan(ks))
                        {
                            if (KeyOf(key) != expected || Round(expected, value) < 0)
                            {
                                Fail($"scan: key {KeyOf(key)} where {expected} was due, value {Convert.ToHexString(value)}");
                            }

                            expected++;
                        }

                        continue;
                    }

                    for (var probe = 0; probe < 5; probe++)
                    {
                        var i = random.Next(Keys);
                        if (!tx.TryGet(ks, Key(i), out var value) || Round(i, value) < 0)
                        {
                            Fail($"get {i}");
                        }
                    }
                }
            }
            catch (Exception ex)
            {
                Fail($"reader {r}: {ex}");
            }
        })).ToArray();
        await writer;

        // Recycling needs a moment without pins, which two busy readers and a writer rarely leave: once the writer is
        // done, the readers go on until some buffers were recycled under them, for at most a minute (a loaded machine
        // may starve the readers for seconds).
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (db.Store!.Cache.EvictedRecycled < 100 && waited.Elapsed < TimeSpan.FromSeconds(60) && failures.Count == 0)
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(failures.Count == 0, string.Join("\n----\n", failures));
        Assert.True(
            db.Store!.Cache.EvictedRecycled >= 100,
            $"recycled {db.Store!.Cache.EvictedRecycled}, waiting {db.Store!.Cache.EvictedWaiting}, misses {db.Store!.Cache.Misses}, after the writer {waited.Elapsed.TotalSeconds:F1} s");
        AssertConsistent(db);
    }

    /// <summary>Gets <paramref name="count"/> random keys, each in a snapshot of its own, and checks their values.</summary>
    private static void GetRandomKeys(Database db, Keyspace ks, int count, int seed)
    {
        var random = new Random(seed);
        for (var n = 0; n < count; n++)
        {
            using var tx = db.BeginRead();
            var i = random.Next(Keys);
            Assert.True(tx.TryGet(ks, Key(i), out var value));
            Assert.Equal(0, Round(i, value));
        }
    }

    /// <summary>A database of <see cref="Keys"/> checked values, checkpointed, with a page cache of 16 pages.</summary>
    private static Database Loaded(out Keyspace ks)
    {
        var options = Small();
        options.PageCacheBytes = 16 * 4096;
        options.DefaultDurability = Durability.Buffered;
        var db = TestDatabases.Open(new SimulatedFileSystem(), options);
        ks = db.Write(tx =>
        {
            var k = tx.CreateKeyspace("k");
            for (var i = 0; i < Keys; i++)
            {
                tx.Put(k, Key(i), Value(i, 0));
            }

            return k;
        });
        db.Checkpoint();
        return db;
    }

    private static Node WrittenNode(PageType type, int children = 0)
    {
        var page = new byte[4096];
        PageHeader.Initialize(page, type, type == PageType.Leaf ? 0 : 1);
        for (var i = 0; i < children; i++)
        {
            BranchPage.Insert(page, i, [(byte)i], new PageId(100 + i));
        }

        return new Node(page, new PageId(7));
    }

    private static (Node Branch, Node Child) BranchWithCachedChild()
    {
        var branch = WrittenNode(PageType.Branch, children: 1);
        var child = WrittenNode(PageType.Leaf);
        branch.CacheChild(0, child);
        Assert.Same(child, branch.ChildAt(0));
        return (branch, child);
    }
}
