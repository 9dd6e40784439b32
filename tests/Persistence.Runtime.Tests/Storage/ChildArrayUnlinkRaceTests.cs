using Persistence.BTree;
using Persistence.Testing;
using static Persistence.Tests.CheckedValues;

namespace Persistence.Tests.Storage;

/// <summary>
/// A written branch's child array is never reused: <see cref="Node.Unlink"/> of a child the branch cached reads the
/// branch's array and then clears its slot, and nothing orders that against the branch's recycling; had the array gone
/// to the next copy of the branch, a late Unlink would clear a live branch's only link to an unwritten child (found by
/// a review, which built this scenario). The test takes the late Unlink's interleaving by hand: it hands Unlink the
/// array it would have read before the recycle. Everything else is the engine's own path.
/// </summary>
public sealed class ChildArrayUnlinkRaceTests
{
    [Fact]
    public async Task A_late_unlink_cannot_clear_a_slot_of_a_live_branch()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small();
        options.PageCacheBytes = 16 << 20; // no eviction, no dirty-page checkpoints
        options.CheckpointWalBytes = 1 << 30;
        options.CheckpointInterval = TimeSpan.FromHours(1);
        using var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx =>
        {
            var k = tx.CreateKeyspace("k");
            for (var i = 0; i < 2000; i++)
            {
                tx.Put(k, Key(i), Value(i, 0));
            }

            return k;
        });
        db.Checkpoint();

        // D: a new root R1 whose slot 0 holds an unwritten leaf C (cell: none), plus a large value (so the checkpoint
        // writes overflow pages before it stamps the branch cells).
        db.Write(tx =>
        {
            tx.Put(ks, Key(5), Value(5, 1));
            tx.Put(ks, Key(6), new byte[3000]);
        });
        var r1 = db.Versions.Latest.Root(ks.Id).Root!;
        var c = r1.ChildAt(0)!;
        Assert.True(r1.PageId.IsNone && c.PageId.IsNone);
        var readerOfD = db.BeginRead();

        // Hold the checkpoint of D at its first data-file write (the overflow pages, before the cells are stamped)...
        using var reached = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var armed = 1;
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Write && point.Path.EndsWith("test.db", StringComparison.Ordinal) && Interlocked.Exchange(ref armed, 0) == 1)
            {
                reached.Set();
                release.Wait();
            }

            return null;
        };
        var checkpoint = Task.Factory.StartNew(() => db.Checkpoint(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(reached.Wait(TimeSpan.FromSeconds(30)));

        // ...while a commit copies R1 into Y: Y's slot 0 has cell none and the in-memory reference to C.
        db.Write(tx => tx.Put(ks, Key(1990), Value(1990, 2)));
        var y = db.Versions.Latest.Root(ks.Id).Root!;
        Assert.Same(c, y.ChildAt(0));
        release.Set();
        Assert.True(await checkpoint);
        Assert.False(c.PageId.IsNone); // C is written now; Y still reaches it by reference only (cell none)
        Assert.True(BranchPage.Child(y.Page, 0).IsNone);

        // A reader of D loads C through the written R1: R1 caches it (C._cachedBy = R1).
        Assert.True(readerOfD.TryGet(ks, Key(5), out _));
        Assert.Same(c, r1.ChildAt(0));
        var staleArray = r1.Children!; // what an eviction of C reads in Unlink before R1 is recycled
        readerOfD.Dispose();

        // The next commit retires D: R1 is recycled, but its array (a written branch's) is not pooled, so the commit's
        // copy X of Y cannot have rented it.
        db.Write(tx => tx.Put(ks, Key(1995), Value(1995, 3)));
        var x = db.Versions.Latest.Root(ks.Id).Root!;
        Assert.True(r1.Recycled);
        Assert.NotSame(staleArray, x.Children);
        Assert.Same(c, x.ChildAt(0));
        Assert.True(BranchPage.Child(x.Page, 0).IsNone); // X reaches C by reference only

        // The eviction's Unlink completes: its compare-and-swap runs on the array it read before the recycle.
        r1.Children = staleArray;
        c.Unlink();
        r1.Children = null;

        // The live root keeps its link to C.
        Assert.Same(c, x.ChildAt(0));
        using var after = db.BeginRead();
        var ok = after.TryGet(ks, Key(5), out var value) && Round(5, value) == 1;
        Assert.True(ok, "key 5 lost after the late Unlink");
    }
}
