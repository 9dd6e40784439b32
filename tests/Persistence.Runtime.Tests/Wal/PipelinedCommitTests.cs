using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Wal;

/// <summary>
/// The log's batches overlap: while one batch's sync runs, the next is written and synced. They still complete in log
/// order: a batch whose sync ended first is neither visible nor acknowledged before the one ahead of it, and a failed
/// batch fails every batch behind it, whatever their own syncs said.
/// </summary>
public sealed class PipelinedCommitTests
{
    private const string FirstSegment = "0000000000000000.wal";

    /// <summary>
    /// The first commit's sync is held. The second is written and synced meanwhile (two syncs in flight), yet stays
    /// unacknowledged and invisible until the first completes; a third is not claimed at all while two batches are in
    /// flight. Releasing the first completes all three in order.
    /// </summary>
    [Fact]
    public async Task A_batch_synced_behind_a_held_one_completes_only_after_it()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        Assert.Equal(2, db.Wal!.MaxInFlight);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var syncsBefore = db.Wal.Syncs;
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var flushes = 0;
        var writes = 0;
        var holding = 0;
        fs.Fault = point =>
        {
            if (!point.Path.EndsWith(FirstSegment, StringComparison.Ordinal) || Volatile.Read(ref holding) == 0)
            {
                return null;
            }

            if (point.Kind == FaultKind.Write)
            {
                Interlocked.Increment(ref writes);
            }
            else if (point.Kind == FaultKind.Flush && Interlocked.Increment(ref flushes) == 1)
            {
                held.Set();
                release.Wait();
            }

            return null;
        };

        Task first = Task.CompletedTask, second = Task.CompletedTask, third = Task.CompletedTask;
        var batchesBefore = 0L;
        try
        {
            Volatile.Write(ref holding, 1);
            (first, second) = CommitTwo(db, ks, held);
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref flushes) == 2, TimeSpan.FromSeconds(60)), "the second batch was not synced while the first one's sync ran");
            Assert.Equal(syncsBefore + 1, db.Wal.Syncs); // the second batch's sync ended; the first one's has not
            Assert.False(second.IsCompleted); // synced, but behind a batch that is not
            using (var read = db.BeginRead())
            {
                Assert.False(read.ContainsKey(ks, Bytes("first")));
                Assert.False(read.ContainsKey(ks, Bytes("second")));
            }

            var writesBefore = Volatile.Read(ref writes);
            var commits = db.GetStatistics().Commits;
            batchesBefore = db.Wal.Batches;
            third = CommitAsync(db, ks, "third"); // asynchronous: told to lead when the first batch completes
            while (db.GetStatistics().Commits == commits)
            {
                await Task.Delay(1);
            }

            Thread.Sleep(50); // room for a leader that should not be there to write it
            Assert.Equal(writesBefore, Volatile.Read(ref writes)); // two batches in flight: the third is queued, not written
            Assert.False(second.IsCompleted || third.IsCompleted);
        }
        finally
        {
            release.Set(); // also when an assertion failed: a held commit would keep Dispose waiting
        }

        await Task.WhenAll(first, second, third);
        Assert.Equal(3, db.Wal.Syncs - syncsBefore);
        Assert.Equal(batchesBefore + 3, db.Wal.Batches); // the asynchronous leader led once: no empty batch behind it
        Assert.True(db.Wal.MaxBatchesWaited <= db.Wal.MaxInFlight + 1);
        using (var read = db.BeginRead())
        {
            Assert.Equal(3, read.Count(ks));
        }

        using var crashed = TestDatabases.Open(fs.AfterCrash(CrashMode.DropUnsynced, new Random(1)));
        using (var read = crashed.BeginRead())
        {
            Assert.Equal(3, read.Count(read.GetKeyspace("k"))); // every acknowledged commit survives a power failure
        }

        AssertConsistent(db);
    }

    /// <summary>
    /// The first batch's sync fails while the second's succeeds: the second batch is never acknowledged or published
    /// (its commits come after a commit whose outcome is unknown), the database turns read-only, and nothing more is
    /// synced: a later sync's success says nothing about the pages the failed one dropped.
    /// </summary>
    [Fact]
    public async Task A_failed_sync_fails_the_batch_synced_behind_it()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Bytes("before"), Bytes("0")));
        var syncsBefore = db.Wal!.Syncs;
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var flushes = 0;
        var holding = 0;
        fs.Fault = point =>
        {
            if (point.Kind != FaultKind.Flush || !point.Path.EndsWith(FirstSegment, StringComparison.Ordinal) || Volatile.Read(ref holding) == 0)
            {
                return null;
            }

            var n = Interlocked.Increment(ref flushes);
            if (n == 1)
            {
                held.Set();
                release.Wait();
                return new IOException("injected fsync failure");
            }

            return n == 2 ? null : new InvalidOperationException("a sync after the failure"); // the second batch's sync succeeds
        };

        Task first = Task.CompletedTask, second = Task.CompletedTask;
        try
        {
            Volatile.Write(ref holding, 1);
            (first, second) = CommitTwo(db, ks, held);
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref flushes) == 2 && db.Wal.Syncs == syncsBefore + 1, TimeSpan.FromSeconds(60)), "the second batch was not synced while the first one's sync ran");
        }
        finally
        {
            release.Set();
        }

        await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => first);
        await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => second);
        Assert.True(db.IsReadOnly);
        Assert.Equal(2, Volatile.Read(ref flushes));
        using (var read = db.BeginRead())
        {
            Assert.True(read.ContainsKey(ks, Bytes("before")));
            Assert.False(read.ContainsKey(ks, Bytes("first")));
            Assert.False(read.ContainsKey(ks, Bytes("second")));
        }

        Assert.Throws<DatabaseReadOnlyException>(() => db.Write(tx => tx.Put(ks, Bytes("third"), Bytes("3"))));
        Assert.Equal(2, Volatile.Read(ref flushes)); // refused before the log: no third sync
    }

    /// <summary>
    /// The second batch is written while the first one's sync runs, and that sync fails before the second batch's sync
    /// begins: the second batch syncs nothing (a failed fsync is never followed by another that could hide it) and
    /// fails.
    /// </summary>
    [Fact]
    public async Task A_batch_written_before_a_failed_sync_does_not_sync_after_it()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        using var flushHeld = new ManualResetEventSlim();
        using var releaseFlush = new ManualResetEventSlim();
        using var writeHeld = new ManualResetEventSlim();
        using var releaseWrite = new ManualResetEventSlim();
        var flushes = 0;
        var holding = 0;
        fs.Fault = point =>
        {
            if (!point.Path.EndsWith(FirstSegment, StringComparison.Ordinal) || Volatile.Read(ref holding) == 0)
            {
                return null;
            }

            if (point.Kind == FaultKind.Flush && Interlocked.Increment(ref flushes) == 1)
            {
                flushHeld.Set();
                releaseFlush.Wait();
                return new IOException("injected fsync failure");
            }

            if (point.Kind == FaultKind.Write && flushHeld.IsSet && !writeHeld.IsSet)
            {
                writeHeld.Set(); // the second batch's write, while the first one's sync runs
                releaseWrite.Wait();
            }

            return null;
        };

        Task first = Task.CompletedTask, second = Task.CompletedTask;
        try
        {
            Volatile.Write(ref holding, 1);
            (first, second) = CommitTwo(db, ks, flushHeld);
            Assert.True(writeHeld.Wait(TimeSpan.FromSeconds(60)), "the second batch was not written while the first one's sync ran");
            releaseFlush.Set();
            Assert.True(SpinWait.SpinUntil(() => db.IsReadOnly, TimeSpan.FromSeconds(60)), "the failed sync did not make the database read-only");
        }
        finally
        {
            releaseFlush.Set();
            releaseWrite.Set();
        }

        await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => first);
        await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => second);
        Assert.Equal(1, Volatile.Read(ref flushes));
    }

    /// <summary>Starts a commit, waits until its sync is held, then starts a second one.</summary>
    private static (Task First, Task Second) CommitTwo(Database db, Keyspace ks, ManualResetEventSlim held)
    {
        var first = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes("first"), Bytes("1"))));
        Assert.True(held.Wait(TimeSpan.FromSeconds(60)), "the first commit never reached its sync"); // a bound on a busy machine, not a timing
        return (first, BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes("second"), Bytes("2")))));
    }

    private static async Task CommitAsync(Database db, Keyspace ks, string key)
    {
        await Task.Yield(); // the commit runs on the thread pool, away from the test's thread
        using var tx = db.BeginWrite(Durability.Durable);
        tx.Put(ks, Bytes(key), Bytes(key));
        await tx.CommitAsync();
    }
}
