using Persistence.Testing;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Storage;

/// <summary>
/// Page buffers of replaced nodes are reused once no snapshot reaches them, and never before: old snapshots keep
/// reading exactly what they saw, under concurrent commits that recycle buffers all the time.
/// </summary>
public sealed class PagePoolTests
{
    private const int Keys = 2000;

    [Fact]
    public void Commits_reuse_the_buffers_and_child_arrays_of_the_nodes_they_replaced()
    {
        using var db = Database.OpenInMemory();
        var ks = Load(db);
        var pool = db.Source.Pages;
        var before = pool.Reused;
        for (var round = 1; round <= 50; round++)
        {
            db.Write(tx => tx.Put(ks, Key(round * 37 % Keys), Value(round * 37 % Keys, round)));
        }

        Assert.True(pool.Reused > before, $"no buffer was reused over 50 commits (pool holds {pool.Count})");
        Assert.True(pool.ChildArraysReused > 0, "no branch's child array was reused over 50 commits");
        AssertEveryKeyReadable(db, ks);
        AssertConsistent(db);
    }

    [Fact]
    public void Child_arrays_returned_in_a_burst_serve_the_next_burst_of_copies()
    {
        using var db = Database.OpenInMemory();
        var ks = Load(db);
        var pool = db.Source.Pages;
        const int Commits = 120;

        // While a snapshot pins the old end of the chain, nothing retires: every commit's copy of the root branch
        // rents a fresh array. Ending the snapshot returns all of them at the next publication, in one burst.
        void CommitsWhilePinned()
        {
            using var reader = db.BeginRead();
            for (var round = 1; round <= Commits; round++)
            {
                db.Write(tx => tx.Put(ks, Key(round * 37 % Keys), Value(round * 37 % Keys, round)));
            }
        }

        CommitsWhilePinned();
        db.Write(tx => tx.Put(ks, Key(1), Value(1, 1)));
        var reused = pool.ChildArraysReused;
        CommitsWhilePinned();

        // The second burst of copies finds the first burst's arrays (a pool that kept 32 per size class reused at
        // most 32 of them and allocated the rest).
        var second = pool.ChildArraysReused - reused;
        Assert.True(second >= Commits - 8, $"only {second} of {Commits} branch copies reused a child array");
        AssertEveryKeyReadable(db, ks);
        AssertConsistent(db);
    }

    [Fact]
    public void A_long_reader_holds_back_only_the_nodes_its_snapshot_reaches()
    {
        using var db = Database.OpenInMemory();
        var ks = Load(db);
        var pool = db.Source.Pages;
        using var reader = db.BeginRead();
        var allocated = pool.Allocated;
        const int Commits = 500;
        for (var round = 1; round <= Commits; round++)
        {
            db.Write(tx => tx.Put(ks, Key(7), Value(7, round)));
        }

        // Each commit copies the path to key 7. The first copies replace nodes the reader's snapshot reaches, which stay;
        // every later copy replaces one that only the commits after the reader made, and nothing reaches it once the
        // commit after it is visible: its buffer serves the next copy although the reader is still open. Held back
        // until the reader ends, they would have taken a new buffer for every node of every commit.
        var grown = pool.Allocated - allocated;
        Assert.True(grown < 40, $"{grown} buffers allocated over {Commits} commits while a reader was open");
        for (var i = 0; i < Keys; i++)
        {
            Assert.True(reader.TryGet(ks, Key(i), out var value));
            Assert.Equal(0, Round(i, value));
        }

        using (var latest = db.BeginRead())
        {
            Assert.True(latest.TryGet(ks, Key(7), out var value));
            Assert.Equal(Commits, Round(7, value));
        }

        AssertEveryKeyReadable(db, ks);
        AssertConsistent(db);
    }

    [Fact]
    public void A_pinned_snapshot_keeps_its_pages_until_it_ends()
    {
        using var db = Database.OpenInMemory();
        var ks = Load(db);
        var pool = db.Source.Pages;
        using (var reader = db.BeginRead())
        {
            var reused = pool.Reused;
            for (var round = 1; round <= 200; round++)
            {
                db.Write(tx =>
                {
                    for (var i = round % 7; i < Keys; i += 97)
                    {
                        tx.Put(ks, Key(i), Value(i, round));
                    }
                });
            }

            // Everything replaced since the reader's snapshot is still reachable from it: nothing could be recycled
            // except nodes created and replaced after it (which the pool may reuse), and the reader sees round 0.
            for (var i = 0; i < Keys; i++)
            {
                Assert.True(reader.TryGet(ks, Key(i), out var value));
                Assert.Equal(0, Round(i, value));
            }

            Assert.True(pool.Reused >= reused);
        }

        db.Write(tx => tx.Put(ks, Key(1), Value(1, 1000))); // retires the reader's version
        using var after = db.BeginRead();
        Assert.True(after.TryGet(ks, Key(1), out var latest));
        Assert.Equal(1000, Round(1, latest));
        AssertConsistent(db);
    }

    [Fact]
    public void Written_nodes_are_reused_and_leave_the_page_cache_only_once_no_snapshot_reaches_them()
    {
        var fs = new SimulatedFileSystem();
        var options = Small();
        options.PageCacheBytes = 16 << 20; // nothing is evicted: what leaves the cache was removed
        using var db = TestDatabases.Open(fs, options);
        var ks = Load(db);
        db.Checkpoint(); // every node is written and in the page cache now
        var cache = db.Store!.Cache;
        var pool = db.Source.Pages;
        var root = db.Versions.Latest.Root(ks.Id).Root!;
        Assert.False(root.PageId.IsNone);
        using (var reader = db.BeginRead())
        {
            for (var round = 1; round <= 30; round++)
            {
                db.Write(tx =>
                {
                    for (var i = round; i < Keys; i += 150)
                    {
                        tx.Put(ks, Key(i), Value(i, round));
                    }
                });
                if (round % 10 == 0)
                {
                    db.Checkpoint(); // writes the copies; the next rounds replace written nodes
                }
            }

            // The reader's snapshot still reaches every node it started with: none left the cache or was reused.
            Assert.NotSame(root, db.Versions.Latest.Root(ks.Id).Root);
            Assert.True(cache.TryGet(root.PageId, out var entry) && ReferenceEquals(entry, root), "a snapshot's root left the page cache");
            for (var i = 0; i < Keys; i++)
            {
                Assert.True(reader.TryGet(ks, Key(i), out var value));
                Assert.Equal(0, Round(i, value));
            }
        }

        var returned = pool.Count + pool.Reused;
        db.Write(tx => tx.Put(ks, Key(1), Value(1, 1000))); // retires the reader's version and those after it
        Assert.True(root.Recycled, "the replaced written root was not recycled");
        Assert.False(cache.TryGet(root.PageId, out var stale) && ReferenceEquals(stale, root), "the recycled root is still in the page cache");
        Assert.True(pool.Count + pool.Reused > returned, "no buffer came back to the pool");
        AssertEveryKeyReadable(db, ks);
        using var reopened = CloseCheckAndReopen(db, fs, options);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Readers_never_see_a_recycled_page_while_writers_commit(int seed)
    {
        var fs = new SimulatedFileSystem();
        var options = Small();
        options.DefaultDurability = Durability.Buffered;
        using var db = TestDatabases.Open(fs, options);
        var ks = Load(db);
        var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var writers = Enumerable.Range(0, 2).Select(w => Dedicated(() =>
        {
            var random = new Random(seed * 10 + w);
            for (var round = 1; round <= 400; round++)
            {
                db.Write(tx =>
                {
                    for (var n = 0; n < 1 + random.Next(40); n++)
                    {
                        var i = random.Next(Keys);
                        tx.Put(ks, Key(i), Value(i, round));
                    }
                }, RetryPolicy.Default);
                if (round % 25 == 0)
                {
                    db.Checkpoint(); // replaced written nodes are recycled too
                }
            }
        })).ToArray();
        var readers = Enumerable.Range(0, 2).Select(r => Dedicated(() =>
        {
            var random = new Random(seed * 100 + r);
            while (!stop.IsCancellationRequested)
            {
                using var tx = db.BeginRead();
                var count = 0;
                foreach (var (key, value) in tx.Scan(ks))
                {
                    var i = KeyOf(key);
                    if (Round(i, value) < 0)
                    {
                        lock (failures)
                        {
                            failures.Add($"key {i}: value {Convert.ToHexString(value)}");
                        }
                    }

                    count++;
                }

                for (var probe = 0; probe < 200; probe++)
                {
                    var i = random.Next(Keys);
                    if (!tx.TryGet(ks, Key(i), out var value) || Round(i, value) < 0)
                    {
                        lock (failures)
                        {
                            failures.Add($"get {i}");
                        }
                    }
                }

                if (count != Keys)
                {
                    lock (failures)
                    {
                        failures.Add($"scan saw {count} keys");
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Empty(failures);
        Assert.True(db.Source.Pages.Reused > 0, "the test did not exercise recycling");
        using var reopened = CloseCheckAndReopen(db, fs, options);
    }


    private static void AssertEveryKeyReadable(Database db, Keyspace ks)
    {
        using var tx = db.BeginRead();
        for (var i = 0; i < Keys; i++)
        {
            Assert.True(tx.TryGet(ks, Key(i), out var value) && Round(i, value) >= 0, $"key {i}");
        }
    }

        private static Keyspace Load(Database db) => db.Write(tx =>
    {
        var ks = tx.CreateKeyspace("k");
        for (var i = 0; i < Keys; i++)
        {
            tx.Put(ks, Key(i), Value(i, 0));
        }

        return ks;
    });
}
