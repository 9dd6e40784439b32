using Persistence.BTree;
using Persistence.Testing;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>
/// A write transaction larger than the page cache writes its leaves out before its commit
/// (<see cref="Persistence.Transactions.Checkpointer.SpillLeaves"/>), so that it holds about the cache's budget in
/// memory. The written pages must read back, reach the durable bitmap through the next checkpoint when the commit adopts
/// them, and become reusable again when it does not (rollback, or a commit replayed on a newer version).
/// </summary>
public sealed partial class LeafSpillTests
{
    private const int SpillAfter = 32;

    [Fact]
    public void A_transaction_larger_than_the_cache_writes_its_leaves_early_reads_them_back_and_commits_them()
    {
        var fs = new SimulatedFileSystem();
        var db = OpenQuiet(fs);
        Keyspace ks;
        var maxInMemory = 0;
        var reusedBefore = db.Store!.Pages.Reused;
        using (var tx = db.BeginWrite())
        {
            ks = tx.CreateKeyspace("k");
            for (var i = 0; i < 40_000; i++)
            {
                tx.Put(ks, Key(i), Value(i, 0));
                if (i % 100 == 0)
                {
                    maxInMemory = Math.Max(maxInMemory, InMemoryNodes(tx));
                }
            }

            Assert.True(db.GetStatistics().SpilledPages > 200, $"spilled {db.GetStatistics().SpilledPages}");

            // Without spilling, the transaction would hold every one of its 600-odd leaves.
            Assert.InRange(maxInMemory, 1, SpillAfter + 8);

            // The cache evicted written-out leaves, and their buffers (poisoned) went back to the pool, though the
            // transaction pins its snapshot all along.
            var reused = db.Store.Pages.Reused - reusedBefore;
            Assert.True(reused > 100, $"reused {reused}");

            // Its own reads go through the written leaves (most evicted from the 256-page cache by now).
            AssertRange(tx, ks, 40_000, round: 0);
            tx.Commit();
        }

        using (var read = db.BeginRead())
        {
            AssertRange(read, ks, 40_000, round: 0);
        }

        CheckpointReopenAndCheck(db, fs, "k", (read, k) => AssertRange(read, k, 40_000, round: 0));
    }

    [Fact]
    public void A_burst_of_evicted_written_out_leaves_waits_for_room_in_the_pool_instead_of_being_dropped()
    {
        using var db = Open(new SimulatedFileSystem(), Quiet());
        db.SpillLeavesAfter = 400; // each spill writes at least 100 leaves; the pool holds 64 buffers
        var pages = db.Store!.Pages;
        var (reused, dropped) = (pages.Reused, pages.Dropped);
        using var tx = db.BeginWrite();
        var ks = tx.CreateKeyspace("k");
        for (var i = 0; i < 100_000; i++)
        {
            tx.Put(ks, Key(i), Value(i, 0));
        }

        Assert.True(db.GetStatistics().SpilledPages > 500, $"spilled {db.GetStatistics().SpilledPages}");
        Assert.True(pages.Reused - reused > 300, $"reused {pages.Reused - reused}");
        Assert.Equal(dropped, pages.Dropped);
        AssertRange(tx, ks, 100_000, round: 0);
    }

    [Fact]
    public void Leaves_written_early_and_changed_again_in_the_same_transaction_are_copied_and_their_pages_freed()
    {
        var fs = new SimulatedFileSystem();
        var db = OpenQuiet(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var random = new Random(7);
        var rounds = new int[6000];
        using (var tx = db.BeginWrite())
        {
            for (var n = 0; n < 30_000; n++)
            {
                var i = random.Next(rounds.Length);
                rounds[i]++;
                tx.Put(ks, Key(i), Value(i, rounds[i]));
            }

            Assert.True(db.GetStatistics().SpilledPages > 200, $"spilled {db.GetStatistics().SpilledPages}");
            AssertRounds(tx, ks, rounds);
            tx.Commit();
        }

        using (var read = db.BeginRead())
        {
            AssertRounds(read, ks, rounds);
        }

        CheckpointReopenAndCheck(db, fs, "k", (read, k) => AssertRounds(read, k, rounds));
    }

    [Fact]
    public void Rolling_back_a_transaction_that_wrote_leaves_early_makes_their_pages_reusable()
    {
        var fs = new SimulatedFileSystem();
        using var db = OpenQuiet(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Key(0), Value(0, 0)));
        db.Checkpoint();
        AssertNoPageLost(db);
        var space = db.FreeSpace!;
        var inUse = space.PageCount - space.ReusablePages;
        long pageCount = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var spilledBefore = db.GetStatistics().SpilledPages;
            using (var tx = db.BeginWrite())
            {
                for (var i = 1; i < 20_000; i++)
                {
                    tx.Put(ks, Key(i), Value(i, attempt));
                }

                var spilled = db.GetStatistics().SpilledPages - spilledBefore;
                Assert.True(spilled > 100, $"spilled {spilled}");
                tx.Rollback();
            }

            Assert.Equal(inUse, space.PageCount - space.ReusablePages);
            if (attempt == 0)
            {
                pageCount = space.PageCount;
            }
            else
            {
                Assert.Equal(pageCount, space.PageCount); // the next attempt wrote into the pages the last one gave back
            }
        }

        using (var read = db.BeginRead())
        {
            Assert.Equal(1, read.Count(ks));
        }

        AssertNoPageLost(db);
        AssertConsistent(db);
    }

    [Fact]
    public void A_commit_replayed_on_a_newer_version_gives_back_the_pages_its_private_tree_wrote()
    {
        var fs = new SimulatedFileSystem();
        var db = OpenQuiet(fs);
        var (big, small) = db.Write(tx => (tx.CreateKeyspace("big"), tx.CreateKeyspace("small")));
        db.Checkpoint();
        using (var tx = db.BeginWrite())
        {
            for (var i = 0; i < 20_000; i++)
            {
                tx.Put(big, Key(i), Value(i, 1));
            }

            Assert.True(db.GetStatistics().SpilledPages > 100, $"spilled {db.GetStatistics().SpilledPages}");

            // Another commit lands first: this one's log is replayed on it, and its private tree is dropped.
            db.Write(other => other.Put(small, Key(1), Value(1, 2)));
            tx.Commit();
        }

        using (var read = db.BeginRead())
        {
            AssertRange(read, big, 20_000, round: 1);
            Assert.Equal(1, read.Count(small));
        }

        CheckpointReopenAndCheck(db, fs, "big", (read, k) => AssertRange(read, k, 20_000, round: 1));
    }

    [Theory]
    [InlineData(CrashMode.DropUnsynced)]
    [InlineData(CrashMode.Reorder)]
    public void A_power_failure_after_leaves_were_written_early_loses_only_what_was_not_acknowledged(CrashMode mode)
    {
        var fs = new SimulatedFileSystem();
        var db = OpenQuiet(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx =>
        {
            for (var i = 0; i < 3000; i++)
            {
                tx.Put(ks, Key(i), Value(i, 0));
            }
        });
        db.Checkpoint();

        // Uncommitted: its written leaves land on free pages, which the crash leaves free.
        var open = db.BeginWrite();
        for (var i = 0; i < 20_000; i++)
        {
            open.Put(ks, Key(i), Value(i, 1));
        }

        Assert.True(db.GetStatistics().SpilledPages > 100, $"spilled {db.GetStatistics().SpilledPages}");
        using (var crashed = Database.Open(db.Path!, Quiet(), fs.AfterCrash(mode, new Random(3))))
        {
            AssertConsistent(crashed);
            using var read = crashed.BeginRead();
            AssertRange(read, read.GetKeyspace("k"), 3000, round: 0);
        }

        // Committed (durably) but not checkpointed: the log replays it.
        open.Commit();
        open.Dispose();
        using (var crashed = Database.Open(db.Path!, Quiet(), fs.AfterCrash(mode, new Random(4))))
        {
            AssertConsistent(crashed);
            using var read = crashed.BeginRead();
            AssertRange(read, read.GetKeyspace("k"), 20_000, round: 1);
            crashed.Checkpoint();
            AssertConsistent(crashed);
        }

        db.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_delete_that_collapses_the_root_onto_a_written_out_leaf_makes_a_copy_the_root(bool evictedFirst)
    {
        var fs = new SimulatedFileSystem();
        var db = OpenQuiet(fs);
        var (ks, other) = db.Write(tx => (tx.CreateKeyspace("k"), tx.CreateKeyspace("o")));
        db.Checkpoint();
        int kept;
        using (var tx = db.BeginWrite())
        {
            for (var i = 0; i < 6000; i++)
            {
                tx.Put(ks, Key(i), Value(i, 0));
            }

            // Other writes fill the cache with written-out leaves: whatever it evicts is recycled (poisoned). Before
            // the deletes, they evict the first leaf, which the collapse then reads back from its page.
            if (evictedFirst)
            {
                PutOthers(tx, other);
            }

            Assert.True(db.GetStatistics().SpilledPages > 10);
            kept = 6000;
            while (!tx.Roots[ks.Id].Root!.IsLeaf)
            {
                tx.Delete(ks, Key(--kept));
            }

            // The first leaf was written out long ago; as the root it would be recorded by no checkpoint, and its
            // buffer recycled on eviction while still the root.
            var root = tx.Roots[ks.Id].Root!;
            Assert.True(root.PageId.IsNone, $"the root is written page {root.PageId.Value}");
            if (!evictedFirst)
            {
                PutOthers(tx, other);
            }

            AssertRange(tx, ks, kept, round: 0);
            tx.Commit();
        }

        CheckpointReopenAndCheck(db, fs, "k", (read, k) => AssertRange(read, k, kept, round: 0));

        static void PutOthers(WriteTransaction tx, Keyspace other)
        {
            for (var i = 0; i < 60_000; i++)
            {
                tx.Put(other, Key(i), Value(i, 0));
            }
        }
    }

    [Fact]
    public void A_later_commit_that_collapses_the_root_onto_a_written_out_leaf_leaves_the_bitmap_exact()
    {
        var fs = new SimulatedFileSystem();
        var db = OpenQuiet(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Checkpoint();
        var last = 5999;
        using (var tx = db.BeginWrite())
        {
            for (var i = 0; i <= last; i++)
            {
                tx.Put(ks, Key(i), Value(i, 0));
            }

            // Down to a root branch of two leaves, the left one written out early.
            while (tx.Roots[ks.Id].Root is not { IsLeaf: false, Level: 1, Count: 2 })
            {
                tx.Delete(ks, Key(last--));
            }

            var root = tx.Roots[ks.Id].Root!;
            Assert.False(BranchPage.Child(root.Page, 0).IsNone);
            tx.Commit(); // adopted
        }

        // A small commit, replayed on the adopted version, empties the right leaf: the root collapses onto the left.
        int firstOfRight;
        using (var read = db.BeginRead())
        {
            firstOfRight = KeyOf(BranchPage.Key(read.CurrentRoot(ks.Id).Root!.Page, 1));
        }

        db.Write(tx =>
        {
            for (var i = last; i >= firstOfRight; i--)
            {
                tx.Delete(ks, Key(i));
            }
        });
        CheckpointReopenAndCheck(db, fs, "k", (read, k) => AssertRange(read, k, firstOfRight, round: 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Readers_small_writers_and_checkpoints_beside_transactions_that_write_leaves_early_see_whole_commits(int seed)
    {
        const int keys = 3000;
        var fs = new SimulatedFileSystem();
        var db = Open(fs); // a 64-page cache, background checkpoints by log size and dirty pages
        db.SpillLeavesAfter = 16;
        var (big, small) = db.Write(tx => (tx.CreateKeyspace("big"), tx.CreateKeyspace("small")));
        db.Write(tx =>
        {
            for (var i = 0; i < keys; i++)
            {
                tx.Put(big, Key(i), Value(i, 0));
            }
        });
        var committed = 0;
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

        var done = false;
        var writer = Dedicated(() =>
        {
            try
            {
                var random = new Random(seed);
                for (var round = 1; round <= 7; round++)
                {
                    using var tx = db.BeginWrite(Durability.Buffered);
                    foreach (var i in Enumerable.Range(0, keys).OrderBy(_ => random.Next()))
                    {
                        tx.Put(big, Key(i), Value(i, round));
                    }

                    if (round % 3 == 0)
                    {
                        tx.Rollback();
                        continue;
                    }

                    tx.Commit(); // adopted, or replayed when a small commit came in between
                    Volatile.Write(ref committed, round);
                }
            }
            catch (Exception ex)
            {
                Fail($"big writer: {ex}");
            }
            finally
            {
                Volatile.Write(ref done, true);
            }
        });
        var smallWriter = Dedicated(() =>
        {
            try
            {
                for (var n = 0; !Volatile.Read(ref done); n++)
                {
                    db.Write(tx => tx.Put(small, Key(n % 100), Value(n % 100, n)), durability: Durability.Buffered);
                    Thread.Sleep(1);
                }
            }
            catch (Exception ex)
            {
                Fail($"small writer: {ex}");
            }
        });
        var readers = Enumerable.Range(0, 2).Select(r => Dedicated(() =>
        {
            try
            {
                var seen = 0;
                while (!Volatile.Read(ref done))
                {
                    var floor = Volatile.Read(ref committed);
                    using var tx = db.BeginRead();
                    int? round = null;
                    var expected = 0;
                    foreach (var (key, value) in tx.Scan(big))
                    {
                        var i = KeyOf(key);
                        var r = Round(i, value);
                        round ??= r;
                        if (i != expected++ || r < 0 || r != round)
                        {
                            Fail($"reader {r}: key {i} (expected {expected - 1}) has round {r}, the scan began with {round}");
                            return;
                        }
                    }

                    if (expected != keys || round < floor || round < seen)
                    {
                        Fail($"reader: {expected} keys, round {round}, committed before the snapshot {floor}, seen before {seen}");
                        return;
                    }

                    seen = round ?? 0;
                }
            }
            catch (Exception ex)
            {
                Fail($"reader: {ex}");
            }
        })).ToArray();
        await Task.WhenAll([writer, smallWriter, .. readers]);

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal(7, committed);
        Assert.True(db.GetStatistics().SpilledPages > 100, $"spilled {db.GetStatistics().SpilledPages}");
        db.Checkpoint();
        AssertNoPageLost(db);
        using var reopened = CloseCheckAndReopen(db, fs);
        using var read = reopened.BeginRead();
        AssertRange(read, read.GetKeyspace("big"), keys, committed);
    }

    private static Database OpenQuiet(SimulatedFileSystem fs)
    {
        var db = Open(fs, Quiet());
        db.SpillLeavesAfter = SpillAfter;
        return db;
    }

    /// <summary>Nodes the transaction's trees hold in memory (which the page cache cannot evict): what spilling bounds.</summary>
    private static int InMemoryNodes(WriteTransaction tx) => InMemoryNodes(tx.Roots);

    /// <summary>Nodes the trees hold in memory, reached through their parents' links to in-memory children.</summary>
    private static int InMemoryNodes(IEnumerable<TreeRoot> roots)
    {
        var count = 0;
        foreach (var root in roots)
        {
            Count(root.Root);
        }

        return count;

        void Count(Node? node)
        {
            if (node is null)
            {
                return;
            }

            count++;
            for (var i = 0; !node.IsLeaf && i < node.Count; i++)
            {
                Count(node.ChildAt(i));
            }
        }
    }

    /// <summary>
    /// Once checkpoints have reclaimed everything (nothing is pinned), every page of the allocator's space is either in
    /// the durable bitmap or reusable: a page written early and never given back would be neither.
    /// </summary>
    private static void AssertNoPageLost(Database db)
    {
        db.Checkpointer!.Run(force: true);
        db.Checkpointer.Run(force: true);
        var space = db.FreeSpace!;
        Assert.Equal(space.PageCount - space.ReusablePages, space.UsedPages);
    }

    private static void AssertRange(Transaction tx, Keyspace ks, int count, int round)
    {
        var expected = 0;
        foreach (var (key, value) in tx.Scan(ks))
        {
            Assert.Equal(expected, KeyOf(key));
            Assert.Equal(round, Round(expected, value));
            expected++;
        }

        Assert.Equal(count, expected);
    }

    private static void AssertRounds(Transaction tx, Keyspace ks, int[] rounds)
    {
        for (var i = 0; i < rounds.Length; i++)
        {
            var found = tx.TryGet(ks, Key(i), out var value);
            Assert.Equal(rounds[i] > 0, found);
            if (found)
            {
                Assert.Equal(rounds[i], Round(i, value));
            }
        }
    }

    /// <summary>
    /// Checkpoints and checks that no page is lost and the database is consistent; then disposes, reopens, checks
    /// again, and runs <paramref name="check"/> on <paramref name="keyspace"/> of the reopened database.
    /// </summary>
    private static void CheckpointReopenAndCheck(Database db, SimulatedFileSystem fs, string keyspace, Action<Transaction, Keyspace> check)
    {
        db.Checkpoint();
        AssertNoPageLost(db);
        using var reopened = CloseCheckAndReopen(db, fs, Quiet());
        using var read = reopened.BeginRead();
        check(read, read.GetKeyspace(keyspace));
    }
}
