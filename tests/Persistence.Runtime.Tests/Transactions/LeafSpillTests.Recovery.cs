using Persistence.BTree;
using Persistence.Testing;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>Recovery's replay writes leaves out early by the same rule as a large transaction (<see cref="Persistence.Transactions.RecoverySpill"/>).</summary>
public sealed partial class LeafSpillTests
{
    [Fact]
    public void Recovery_of_large_commits_no_checkpoint_reached_writes_leaves_early_and_a_crash_after_it_loses_nothing()
    {
        var fs = new SimulatedFileSystem();
        var db = OpenQuiet(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Checkpoint();

        // Two durable commits the log alone holds: a load, then random overwrites that copy its leaves again.
        var random = new Random(11);
        var rounds = new int[40_000];
        db.Write(tx =>
        {
            for (var i = 0; i < rounds.Length; i++)
            {
                rounds[i] = 1;
                tx.Put(ks, Key(i), Value(i, 1));
            }
        });
        db.Write(tx =>
        {
            for (var n = 0; n < 8000; n++)
            {
                var i = random.Next(rounds.Length);
                rounds[i]++;
                tx.Put(ks, Key(i), Value(i, rounds[i]));
            }
        });

        var options = Quiet();
        options.SpillLeavesAfter = SpillAfter;
        var afterCrash = fs.AfterCrash(CrashMode.DropUnsynced, new Random(5));
        using (var recovered = Database.Open(db.Path!, options, afterCrash))
        {
            Assert.Equal(2, recovered.Recovered!.Commits);

            // Without writing leaves early, the replay would hold every one of its 600-odd leaves until a checkpoint.
            Assert.True(recovered.GetStatistics().SpilledPages > 200, $"spilled {recovered.GetStatistics().SpilledPages}");
            Assert.InRange(InMemoryNodes(recovered.Versions.Latest.Roots), 1, SpillAfter + 8);
            AssertConsistent(recovered);
            using (var read = recovered.BeginRead())
            {
                AssertRounds(read, read.GetKeyspace("k"), rounds);
            }

            // A crash before the checkpoint after the open: the pages recovery wrote are free again, and the replay
            // runs once more from the same checkpoint.
            using (var again = Database.Open(db.Path!, options, afterCrash.AfterCrash(CrashMode.Reorder, new Random(6))))
            {
                Assert.Equal(2, again.Recovered!.Commits);
                AssertConsistent(again);
                using (var read = again.BeginRead())
                {
                    AssertRounds(read, read.GetKeyspace("k"), rounds);
                }
            }

            CheckpointReopenAndCheck(recovered, afterCrash, "k", (read, k) => AssertRounds(read, k, rounds));
        }

        db.Dispose();
    }

    [Fact]
    public void Recovery_that_collapses_a_root_onto_a_written_out_leaf_the_cache_evicted_records_its_page()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Quiet());
        db.SpillLeavesAfter = int.MaxValue; // the transaction keeps its tree in memory; only the replay writes leaves out
        var (ks, other) = db.Write(tx => (tx.CreateKeyspace("k"), tx.CreateKeyspace("o")));
        db.Checkpoint();
        var kept = 0;
        db.Write(tx => kept = LoadThenCollapse(tx, ks, other, 6000));

        var options = Quiet();
        options.SpillLeavesAfter = SpillAfter;
        var afterCrash = fs.AfterCrash(CrashMode.DropUnsynced, new Random(5));
        using (var recovered = Database.Open(db.Path!, options, afterCrash))
        {
            Assert.True(recovered.GetStatistics().SpilledPages > 200, $"spilled {recovered.GetStatistics().SpilledPages}");
            var root = recovered.Versions.Latest.Roots[ks.Id].Root!;
            recovered.Checkpoint();
            Assert.True(root.PageId.IsNone || recovered.FreeSpace!.IsUsed(root.PageId.Value), $"the root is page {root.PageId.Value}, which the checkpoint's bitmap does not mark used");
        }

        // An unrecorded root page would be reused by the next writes, overwriting the tree.
        using (var reopened = Database.Open(db.Path!, Quiet(), afterCrash))
        {
            reopened.Write(tx =>
            {
                var o = tx.GetKeyspace("o");
                for (var i = 0; i < 2000; i++)
                {
                    tx.Put(o, Key(i), Value(i, 1));
                }
            });
            reopened.Checkpoint();
            AssertConsistent(reopened);
            using var read = reopened.BeginRead();
            AssertRange(read, read.GetKeyspace("k"), kept, round: 0);
        }

        db.Dispose();
    }

    [Fact]
    public void A_commit_after_recovery_that_collapses_a_root_onto_a_leaf_recovery_wrote_out_records_its_page()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Quiet());
        db.SpillLeavesAfter = int.MaxValue;
        var (ks, other) = db.Write(tx => (tx.CreateKeyspace("k"), tx.CreateKeyspace("o")));
        db.Checkpoint();
        var last = 5999;
        db.Write(tx =>
        {
            tx.CreateKeyspace("promote"); // a private tree from the start: the log's operations reach it in order
            for (var i = 0; i <= last; i++)
            {
                tx.Put(ks, Key(i), Value(i, 0));
            }

            while (tx.Roots[ks.Id].Root is not { IsLeaf: false, Level: 1, Count: 2 })
            {
                tx.Delete(ks, Key(last--));
            }

            for (var i = 0; i < 60_000; i++)
            {
                tx.Put(other, Key(i), Value(i, 0));
            }
        });

        var options = Quiet();
        options.SpillLeavesAfter = SpillAfter;
        using var recovered = Database.Open(db.Path!, options, fs.AfterCrash(CrashMode.DropUnsynced, new Random(5)));
        int firstOfRight;
        using (var read = recovered.BeginRead())
        {
            var root = read.CurrentRoot(ks.Id).Root!;
            Assert.False(BranchPage.Child(root.Page, 0).IsNone, "the replay did not write the left leaf out");
            firstOfRight = KeyOf(BranchPage.Key(root.Page, 1));
        }

        // Emptying the right leaf leaves the written-out left one as the root, in a commit of an ordinary writer.
        recovered.Write(tx =>
        {
            var k = tx.GetKeyspace("k");
            for (var i = last; i >= firstOfRight; i--)
            {
                tx.Delete(k, Key(i));
            }
        });
        var collapsed = recovered.Versions.Latest.Roots[ks.Id].Root!;
        recovered.Checkpoint();
        Assert.True(collapsed.PageId.IsNone || recovered.FreeSpace!.IsUsed(collapsed.PageId.Value), $"the root is page {collapsed.PageId.Value}, which the checkpoint's bitmap does not mark used");
        AssertNoPageLost(recovered);
        db.Dispose();
    }

    /// <summary>
    /// Puts <paramref name="count"/> keys in <paramref name="ks"/>, then enough in <paramref name="other"/> that the
    /// first leaves of <paramref name="ks"/> are written out and evicted, then deletes from the end of
    /// <paramref name="ks"/> until its root is a leaf. Returns how many keys <paramref name="ks"/> kept.
    /// </summary>
    private static int LoadThenCollapse(WriteTransaction tx, Keyspace ks, Keyspace other, int count)
    {
        var kept = count;
        tx.CreateKeyspace("promote"); // a private tree from the start: the log's operations reach it in order
        for (var i = 0; i < kept; i++)
        {
            tx.Put(ks, Key(i), Value(i, 0));
        }

        for (var i = 0; i < 60_000; i++)
        {
            tx.Put(other, Key(i), Value(i, 0));
        }

        while (!tx.Roots[ks.Id].Root!.IsLeaf)
        {
            tx.Delete(ks, Key(--kept));
        }

        return kept;
    }
}
