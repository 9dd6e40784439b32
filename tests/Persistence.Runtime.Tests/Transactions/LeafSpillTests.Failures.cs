using Persistence.Storage;
using Persistence.Testing;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>
/// Leaves written early go to free pages of the data file: a write of them that fails fails what wrote them (a
/// transaction, or recovery's open) with a <see cref="StorageException"/> and, as every failed write of the data file,
/// makes the database read-only; one that reads back altered is detected and never committed. Nothing acknowledged is
/// lost either way.
/// </summary>
public sealed partial class LeafSpillTests
{
    /// <summary>How the write of early leaves fails.</summary>
    public enum LeafWriteFault
    {
        /// <summary>The operating system reports an I/O error.</summary>
        IOError,

        /// <summary>The disk is full.</summary>
        DiskFull,

        /// <summary>The power fails: the simulated file system's own exception, not wrapped by it as its injected faults are.</summary>
        PowerFailure,
    }

    [Theory]
    [InlineData(LeafWriteFault.IOError)]
    [InlineData(LeafWriteFault.DiskFull)]
    [InlineData(LeafWriteFault.PowerFailure)]
    public void A_failed_write_of_leaves_written_early_fails_the_transaction_with_a_StorageException_and_the_database_turns_read_only(LeafWriteFault fault)
    {
        var fs = new SimulatedFileSystem();
        var db = OpenQuiet(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => PutRange(tx, ks, 1000, round: 0)); // durable, in the log only
        var original = fault switch
        {
            LeafWriteFault.IOError => new IOException("injected write error"),
            LeafWriteFault.DiskFull => new IOException("No space left on device", 28), // ENOSPC
            _ => null,
        };
        var failing = Fail(fs, db.Path!, original);

        Exception? failure = null;
        using (var tx = db.BeginWrite())
        {
            for (var i = 0; i < 20_000 && failure is null; i++)
            {
                failing.Armed |= db.Checkpointer!.PagesSpilled > 0; // the next spill's write fails
                failure = Record.Exception(() => tx.Put(ks, Key(i), Value(i, 1)));
            }

            Assert.True(failing.Hit, "no write of early leaves failed");
            var storage = Assert.IsType<StorageException>(failure);
            Assert.Equal(fault == LeafWriteFault.DiskFull ? ErrorCode.OutOfSpace : ErrorCode.IOError, storage.Code);
            if (original is null)
            {
                Assert.IsType<SimulatedCrashException>(storage.InnerException);
            }
            else
            {
                Assert.Same(original, storage.InnerException);
            }

            // The transaction cannot commit, and the database takes no more writes until it is reopened.
            var refused = Assert.Throws<TransactionStateException>(tx.Commit);
            Assert.Equal(ErrorCode.TransactionFailed, refused.Code);
            Assert.Same(storage, refused.InnerException);
        }

        Assert.True(db.IsReadOnly);
        Assert.Same(failure, Assert.Throws<DatabaseReadOnlyException>(() => db.BeginWrite()).InnerException);
        if (fault != LeafWriteFault.PowerFailure)
        {
            using var read = db.BeginRead();
            AssertRange(read, ks, 1000, round: 0);
        }

        fs.Fault = null;
        var disk = fault == LeafWriteFault.PowerFailure ? fs.AfterCrash(CrashMode.DropUnsynced, new Random(8)) : fs;
        db.Dispose();
        using var reopened = Database.Open(db.Path!, Quiet(), disk);
        AssertConsistent(reopened);
        using var after = reopened.BeginRead();
        AssertRange(after, after.GetKeyspace("k"), 1000, round: 0);
    }

    [Fact]
    public void A_leaf_written_early_that_reads_back_altered_is_detected_and_never_committed()
    {
        var fs = new SimulatedFileSystem();
        var db = OpenQuiet(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => PutRange(tx, ks, 1000, round: 0));
        db.Checkpoint();
        using (var tx = db.BeginWrite())
        {
            PutRange(tx, ks, 40_000, round: 1); // 600-odd leaves, most evicted from the 256-page cache
            Assert.True(db.GetStatistics().SpilledPages > 400, $"spilled {db.GetStatistics().SpilledPages}");

            // One bit flips on the disk in every page the transaction wrote (sealed with the generation after the
            // checkpoint's): the leaves the cache evicted since come back altered.
            var file = fs.ReadAllBytes(db.Path!);
            var written = db.Checkpointer!.Durable.Sequence + 1;
            var altered = 0;
            for (var offset = 2 * 4096; offset < file.Length; offset += 4096) // after the meta pages
            {
                if (PageHeader.GetGeneration(file.AsSpan(offset, 4096)) == written)
                {
                    fs.Corrupt(db.Path!, offset + 1000, [(byte)(file[offset + 1000] ^ 0x10)]);
                    altered++;
                }
            }

            Assert.True(altered > 400, $"altered {altered}");
            var error = Assert.Throws<CorruptionException>(() => tx.Scan(ks).Count());
            Assert.Equal(ErrorCode.Corruption, error.Code);
            Assert.Equal(db.Path, error.FilePath);
            Assert.True(db.IsReadOnly);
            Assert.Throws<DatabaseReadOnlyException>(tx.Commit);
        }

        using (var read = db.BeginRead())
        {
            AssertRange(read, ks, 1000, round: 0);
        }

        db.Dispose();
        using var reopened = Database.Open(db.Path!, Quiet(), fs); // the altered pages are free in the checkpoint
        AssertConsistent(reopened);
        using var after = reopened.BeginRead();
        AssertRange(after, after.GetKeyspace("k"), 1000, round: 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_failed_write_of_leaves_during_recovery_refuses_the_open_with_a_StorageException_and_the_next_open_recovers_everything(bool powerFailure)
    {
        var fs = new SimulatedFileSystem();
        var db = OpenQuiet(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Checkpoint();
        db.Write(tx => PutRange(tx, ks, 20_000, round: 1)); // durable, in the log only: the open replays it
        var path = db.Path!;
        var disk = fs.AfterCrash(CrashMode.DropUnsynced, new Random(9));
        db.Dispose();

        var options = Quiet();
        options.SpillLeavesAfter = SpillAfter;
        var original = powerFailure ? null : new IOException("injected write error");
        var failing = Fail(disk, path, original);
        // The open writes nothing to the data file but its meta page, written back once before its first sync, and the
        // leaves its replay writes early.
        failing.Skip = 1;
        failing.Armed = true;
        var error = Assert.Throws<StorageException>(() => Database.Open(path, options, disk));
        Assert.True(failing.Hit, "no write of early leaves failed");
        Assert.Equal(ErrorCode.IOError, error.Code);
        if (powerFailure)
        {
            Assert.IsType<SimulatedCrashException>(error.InnerException);
        }
        else
        {
            Assert.Same(original, error.InnerException);
        }

        // The leaves went to pages no meta page reaches, and the log is as it was: the next open replays it all again.
        disk.Fault = null;
        var next = powerFailure ? disk.AfterCrash(CrashMode.Reorder, new Random(10)) : disk;
        using var reopened = Database.Open(path, options, next);
        Assert.Equal(1, reopened.Recovered!.Commits);
        Assert.True(reopened.Recovered.LeavesWritten > 0, "the reopen wrote no leaves early: the failed open did not fail where the test meant");
        AssertConsistent(reopened);
        using var read = reopened.BeginRead();
        AssertRange(read, read.GetKeyspace("k"), 20_000, round: 1);
    }

    private static void PutRange(WriteTransaction tx, Keyspace ks, int count, int round)
    {
        for (var i = 0; i < count; i++)
        {
            tx.Put(ks, Key(i), Value(i, round));
        }
    }

    /// <summary>
    /// Once armed, fails the next write to <paramref name="dataFile"/> with <paramref name="original"/> (through
    /// <see cref="SimulatedFileSystem.Fault"/>, which reports it as the operating system's errors are), or with a
    /// power failure when it is null.
    /// </summary>
    private static FailingWrite Fail(SimulatedFileSystem fs, string dataFile, IOException? original)
    {
        var failing = new FailingWrite();
        fs.BeforeCounted = (kind, path) =>
        {
            if (failing.Armed && !failing.Hit && kind == FaultKind.Write && path == dataFile && failing.Skip-- <= 0)
            {
                failing.Hit = true;
                if (original is null)
                {
                    fs.CrashAtOperation = fs.Operations;
                }
            }
        };
        fs.Fault = point => failing.Hit && original is not null && point.Kind == FaultKind.Write && point.Path == dataFile ? original : null;
        return failing;
    }

    private sealed class FailingWrite
    {
        public bool Armed { get; set; }

        public bool Hit { get; set; }

        /// <summary>How many writes of the data file to let through once armed before the one that fails.</summary>
        public int Skip { get; set; }
    }
}
