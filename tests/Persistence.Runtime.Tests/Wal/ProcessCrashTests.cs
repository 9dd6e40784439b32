using Persistence.Testing;

namespace Persistence.Tests.Wal;

/// <summary>
/// The process dies, the machine does not: the unflushed writes to the log and the data file stay in the operating
/// system's cache, where a later power failure can still take them. Commits acknowledged after the reopen must survive
/// that power failure, and so must the checkpoint the reopen works from.
/// </summary>
public sealed class ProcessCrashTests
{
    private const string DataFile = "/sim/test.db";
    [Fact]
    public void A_durable_commit_after_a_process_crash_survives_a_power_failure_that_takes_the_recovered_log()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs);
        var value = new byte[2000];
        for (var i = 0; i < 60; i++)
        {
            // Buffered: acknowledged once written, not yet synced. 120 KB of them fill the first 64 KiB segment.
            db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("k"), BitConverter.GetBytes(i), value), durability: Durability.Buffered);
        }

        var afterProcessCrash = fs.AfterProcessCrash();
        db.Dispose(); // the instance the process held is gone; its files live on in afterProcessCrash

        var reopened = TestDatabases.Open(afterProcessCrash);
        reopened.Write(tx => tx.Put(tx.GetKeyspace("k"), "durable"u8.ToArray(), [1]), durability: Durability.Durable);

        var afterPowerFailure = afterProcessCrash.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        reopened.Dispose();
        using var recovered = TestDatabases.Open(afterPowerFailure);
        using var read = recovered.BeginRead();
        Assert.True(read.TryGet(read.GetKeyspace("k"), "durable"u8, out var got), "the durable commit acknowledged after the reopen was lost");
        Assert.Equal([1], got.ToArray());
        TestDatabases.AssertConsistent(recovered);
    }

    [Fact]
    public void A_checkpoint_whose_meta_page_the_crash_left_unsynced_stays_the_one_the_pages_written_after_the_reopen_belong_to()
    {
        var options = TestDatabases.Quiet();
        options.BackgroundWork = false; // the same operations in the same order on every run, so an index names one

        // Two checkpoints: the second writes every leaf anew, so the pages of the first become free once it is durable.
        void Load(Database db)
        {
            for (byte round = 0; round < 2; round++)
            {
                db.Write(tx => PutAll(tx, round));
                db.Checkpoint();
            }
        }

        var probe = new SimulatedFileSystem();
        var operations = Record(probe);
        long metaSync;
        using (var db = TestDatabases.Open(probe, options))
        {
            Load(db);
            metaSync = probe.Operations - 1;
        }

        // The second checkpoint ends with its meta page: written, then synced. The process dies at that sync.
        Assert.Equal((FaultKind.Write, DataFile), (operations[(int)metaSync - 1].Kind, operations[(int)metaSync - 1].Path));
        Assert.Equal((FaultKind.Flush, DataFile), (operations[(int)metaSync].Kind, operations[(int)metaSync].Path));
        var fs = new SimulatedFileSystem { CrashAtOperation = metaSync };
        var crashed = TestDatabases.Open(fs, options);
        Assert.ThrowsAny<Exception>(() => Load(crashed));
        var afterProcessCrash = fs.AfterProcessCrash();
        crashed.Dispose();

        // The reopen reads the unsynced meta page from the cache and works from its checkpoint: a durable commit, then
        // a checkpoint that writes the new leaves to the pages the first checkpoint used. The power fails at the
        // checkpoint's first sync of the data file, and the cache had written back only what the reopened process wrote.
        var secondProbe = afterProcessCrash.AfterProcessCrash();
        var secondOperations = Record(secondProbe);
        long committed;
        using (var db = TestDatabases.Open(secondProbe, options))
        {
            db.Write(tx => PutAll(tx, 2));
            committed = secondProbe.Operations;
            db.Checkpoint();
        }

        var checkpointSync = secondOperations.FindIndex((int)committed, op => op is { Kind: FaultKind.Flush, Path: DataFile });
        Assert.True(checkpointSync > committed, "the checkpoint after the reopen never synced the data file");
        afterProcessCrash.CrashAtOperation = checkpointSync;
        var reopened = TestDatabases.Open(afterProcessCrash, options);
        reopened.Write(tx => PutAll(tx, 2));
        Assert.ThrowsAny<Exception>(() => reopened.Checkpoint());
        var afterPowerFailure = afterProcessCrash.AfterCrash(CrashMode.DropBeforeProcessCrash, new Random(1));
        reopened.Dispose();

        using var recovered = TestDatabases.Open(afterPowerFailure, options);
        AssertRound(recovered, 2); // the durable commit made after the reopen
        TestDatabases.AssertConsistent(recovered);
    }

    /// <summary>
    /// As above, but the process restarts after the meta page's sync failed rather than during it. Linux marks the page
    /// whose write-back failed clean: the restart reads it from the cache, and its own fdatasync succeeds without writing
    /// it. It must still be durable before the restart reuses the pages of the checkpoint before it.
    /// </summary>
    [Fact]
    public void A_meta_page_whose_sync_failed_is_made_durable_by_the_restart_that_works_from_it()
    {
        var options = TestDatabases.Quiet(); // no background checkpoints: the data file's syncs are the ones below
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, options);
        db.Write(tx => PutAll(tx, 0));
        db.Checkpoint();
        db.Write(tx => PutAll(tx, 1)); // every leaf anew: the next checkpoint frees the pages of the first

        // The checkpoint syncs its pages, then writes its meta page and syncs it: that second sync fails.
        FailDataFileSync(fs, which: 2);
        Assert.ThrowsAny<PersistenceException>(() => db.Checkpoint());
        Assert.True(db.IsReadOnly);
        var restarted = fs.AfterProcessCrash();
        db.Dispose();

        // The restart works from the meta page in the cache: a durable commit, then a checkpoint that writes its leaves
        // to the pages the first checkpoint used (free in the one it read) and fails at its meta page's sync too.
        var reopened = TestDatabases.Open(restarted, options);
        reopened.Write(tx => PutAll(tx, 2), durability: Durability.Durable);
        FailDataFileSync(restarted, which: 2);
        Assert.ThrowsAny<PersistenceException>(() => reopened.Checkpoint());
        var afterPowerFailure = restarted.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        reopened.Dispose();

        using var recovered = TestDatabases.Open(afterPowerFailure, options);
        AssertRound(recovered, 2); // the durable commit acknowledged after the restart
        TestDatabases.AssertConsistent(recovered);
    }

    /// <summary>Fails the <paramref name="which"/>-th sync of the data file from now on (counting from 1), and only that one.</summary>
    private static void FailDataFileSync(SimulatedFileSystem fs, int which)
    {
        var syncs = 0;
        fs.Fault = point =>
            point is { Kind: FaultKind.Flush, Path: DataFile } && Interlocked.Increment(ref syncs) == which
                ? new IOException("injected fsync failure")
                : null;
    }

    /// <summary>Asserts that each of the 200 keys holds the value <see cref="PutAll"/> wrote in <paramref name="round"/>.</summary>
    private static void AssertRound(Database db, byte round)
    {
        using var read = db.BeginRead();
        var keyspace = read.GetKeyspace("k");
        for (var k = 0; k < 200; k++)
        {
            Assert.True(read.TryGet(keyspace, BitConverter.GetBytes(k), out var got), $"key {k} is missing");
            Assert.Equal(round, got[0]);
        }
    }

    /// <summary>Puts 200 keys, each value 100 bytes starting with <paramref name="round"/>.</summary>
    private static void PutAll(WriteTransaction tx, byte round)
    {
        var keyspace = tx.GetOrCreateKeyspace("k");
        for (var k = 0; k < 200; k++)
        {
            var value = new byte[100];
            value[0] = round;
            tx.Put(keyspace, BitConverter.GetBytes(k), value);
        }
    }

    /// <summary>The storage operations <paramref name="fs"/> performs from now on, in order.</summary>
    private static List<FaultPoint> Record(SimulatedFileSystem fs)
    {
        var operations = new List<FaultPoint>();
        fs.Fault = point =>
        {
            lock (operations)
            {
                operations.Add(point);
            }

            return null;
        };
        return operations;
    }
}
