using System.Runtime.CompilerServices;
using Persistence.Testing;

namespace Persistence.Tests.Regressions;

/// <summary>
/// Regression: versions were retired only by checkpoints, so every version since the last checkpoint (and every page
/// copy it reached) stayed in memory: gigabytes on workloads of small commits (found by the benchmark's W2 and W7).
/// </summary>
public sealed class VersionRetentionTests
{
    [Fact]
    public void Versions_are_released_as_soon_as_no_snapshot_pins_them()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small(new FakeTimeProvider());
        options.PageCacheBytes = 64L << 20;
        options.CheckpointWalBytes = 1L << 30; // no checkpoint during the test
        using var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        for (var i = 0; i < 1000; i++)
        {
            db.Write(tx => tx.Put(ks, BitConverter.GetBytes(i), new byte[100]));
        }

        Assert.Equal(0, db.GetStatistics().Checkpoints);
        Assert.True(db.Versions.RetainedVersions <= 2, $"{db.Versions.RetainedVersions} versions retained");

        var reader = db.BeginRead();
        for (var i = 0; i < 100; i++)
        {
            db.Write(tx => tx.Put(ks, BitConverter.GetBytes(i), new byte[100]));
        }

        Assert.True(db.Versions.RetainedVersions > 100, "a pinned snapshot keeps the versions after it");
        Assert.Equal(1000, reader.Scan(ks).Count());
        reader.Dispose();
        db.Write(tx => tx.Put(ks, [1], [1]));
        Assert.True(db.Versions.RetainedVersions <= 2, $"{db.Versions.RetainedVersions} versions retained after the reader ended");
        TestDatabases.AssertConsistent(db);
    }

    /// <summary>
    /// A retired version keeps no link to its successor: a retired version that had reached generation 2 (behind a
    /// checkpoint's pin) kept every later one alive through every younger collection, so each commit's version, root
    /// array and nodes were promoted to generation 2 and died there (W9: 48 MiB of a 154 MiB generation 2). Log
    /// pruning, which walks the same links, still drops the logs no writer needs.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Retired_versions_are_cut_off_the_chain_and_log_pruning_goes_on(bool inMemory)
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small(new FakeTimeProvider());
        options.PageCacheBytes = 64L << 20;
        options.CheckpointWalBytes = 1L << 30; // no checkpoint during the test
        using var db = inMemory ? Database.OpenInMemory(options) : TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, [0], new byte[100]));
        var retired = db.Versions.Visible;
        for (var i = 0; i < 100; i++)
        {
            db.Write(tx => tx.Put(ks, BitConverter.GetBytes(i), new byte[100]));
        }

        Assert.True(db.Versions.Oldest.Number > retired.Number, "the version was not retired");
        Assert.Null(retired.Next);

        using var reader = db.BeginRead();
        var pinned = reader.Snapshot;
        for (var i = 0; i < 100; i++)
        {
            db.Write(tx => tx.Put(ks, BitConverter.GetBytes(i), new byte[50]));
        }

        // No writer is open, so no log after the pinned version is needed: pruning dropped them all.
        Assert.True(db.Versions.RetainedVersions > 100, "a pinned snapshot keeps the versions after it");
        var kept = 0;
        for (var v = pinned.Next; v is not null && v.Number < db.Versions.Visible.Number; v = v.Next)
        {
            kept += v.Log is null ? 0 : 1;
        }

        Assert.Equal(0, kept);
        Assert.Equal(101, reader.Scan(ks).Count());
    }

    /// <summary>
    /// The nodes a commit replaces while a checkpoint runs are kept, in case that checkpoint writes them, until their
    /// page numbers are final: once every version that reaches them is retired, not until the next checkpoint covers the
    /// commit (W9: 155,000 nodes, 18 MiB, held between two checkpoints). Nor does a recycled branch's child array keep
    /// them in the page pool.
    /// </summary>
    [Fact]
    public async Task Nodes_replaced_during_a_checkpoint_are_released_once_it_has_finished()
    {
        const string path = "/sim/test.db";
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, TestDatabases.Quiet(), path);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx =>
        {
            for (var i = 0; i < 1000; i++)
            {
                tx.Put(ks, BitConverter.GetBytes(i), new byte[100]);
            }
        });
        db.Checkpoint();
        db.Write(tx => tx.Put(ks, BitConverter.GetBytes(1), new byte[100])); // something for the next checkpoint to write

        using var writing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Write && point.Path == path && !writing.IsSet)
            {
                writing.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }

            return null;
        };
        var checkpoint = TestDatabases.Dedicated(() => db.Checkpoint());
        Assert.True(writing.Wait(TimeSpan.FromSeconds(30)), "the checkpoint did not write");

        // While it writes: a commit makes a leaf, and the next one replaces it.
        var key = BitConverter.GetBytes(900);
        db.Write(tx => tx.Put(ks, key, new byte[100]));
        var leaf = UnwrittenLeaf(db, ks, key);
        db.Write(tx => tx.Put(ks, key, new byte[90]));
        release.Set();
        await checkpoint;
        fs.Fault = null;
        db.Write(tx => tx.Put(ks, BitConverter.GetBytes(2), new byte[100])); // the versions of the checkpoint's time retire

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(leaf.IsAlive, "the replaced leaf is still reachable");
        TestDatabases.AssertConsistent(db);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference UnwrittenLeaf(Database db, Keyspace ks, byte[] key)
    {
        var node = db.Versions.Latest.Roots[ks.Id].Root!;
        while (!node.IsLeaf)
        {
            node = node.ChildAt(node.FindChild(key, null))!;
        }

        Assert.True(node.PageId.IsNone);
        return new WeakReference(node);
    }
}
