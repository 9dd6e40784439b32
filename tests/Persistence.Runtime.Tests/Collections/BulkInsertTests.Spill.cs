using Persistence.Testing;

namespace Persistence.Tests.Collections;

/// <summary>A chunk of a large transaction whose leaves are written out early, where the storage fails.</summary>
public sealed partial class BulkInsertTests
{
    /// <summary>
    /// The power fails at the write of a chunk's early leaves: the simulated file system's own exception, which no
    /// storage layer wrapped, reaches <c>InsertMany</c>'s caller as a <see cref="StorageException"/> with it inside, as
    /// an I/O error does (<see cref="A_write_that_fails_part_way_through_a_chunk_fails_the_transaction_with_its_own_failure"/>);
    /// the transaction fails, the database turns read-only, and the disk holds what was acknowledged before.
    /// </summary>
    [Fact]
    public void A_power_failure_while_a_chunk_writes_leaves_early_reaches_the_caller_as_a_StorageException()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Quiet();
        options.TimeProvider = _time;
        var db = TestDatabases.Open(fs, options);
        db.SpillLeavesAfter = 64; // the chunk's leaves are written out early, where the power fails
        var users = new UserCollection(db) { BulkChunk = 4_096 }; // one chunk
        users.Insert(NewUser(-1)); // durable
        var failing = false;
        fs.BeforeCounted = (kind, path) =>
        {
            if (failing && kind == FaultKind.Write && path == db.Path)
            {
                fs.CrashAtOperation = fs.Operations;
            }
        };
        using (var tx = db.BeginWrite())
        {
            tx.CreateKeyspace("promotes");
            failing = true;
            var failure = Assert.Throws<StorageException>(() => users.InsertMany(Enumerable.Range(0, 3_000).Select(NewUser).ToList(), tx));
            Assert.Equal(ErrorCode.IOError, failure.Code);
            Assert.IsType<SimulatedCrashException>(failure.InnerException);
            Assert.True(fs.Crashed);
            Assert.True(db.IsReadOnly);
            Assert.Same(failure, Assert.Throws<TransactionStateException>(tx.Commit).InnerException);
        }

        var disk = fs.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        db.Dispose();
        using var reopened = TestDatabases.Open(disk, options);
        var after = new UserCollection(reopened);
        Assert.Equal(1, after.Count());
        Assert.NotNull(after.Get(-1));
        Assert.Empty(after.CheckConsistency());
    }
}
