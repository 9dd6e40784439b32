using Persistence.Testing;

namespace Persistence.Tests.Collections;

/// <summary>What a chunk leaves in the transaction's log: the redo record a commit writes, and its conflict check.</summary>
public sealed partial class BulkInsertTests
{
    /// <summary>
    /// A value already stored ends a chunk's run at its entry, after the documents of the rest of the run were put in
    /// the documents' tree and in the trees before the refused entry's. They are taken back before the run is logged:
    /// the log holds exactly the operations that writing one by one logs, and a crash after the commit replays the
    /// trees as they were written.
    /// </summary>
    [Fact]
    public void A_run_that_ends_at_a_stored_unique_value_logs_what_one_by_one_logs_and_replays_after_a_crash()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Quiet();
        options.TimeProvider = _time;
        var db = TestDatabases.Open(fs, options); // no checkpoint unless asked: the reopen replays the log
        var users = new UserCollection(db) { BulkChunk = 1_024 };
        var oneByOne = new UserCollection(OpenInMemory()) { BulkChunk = 0 };
        var documents = Enumerable.Range(0, 1_000).Select(NewUser).ToList();
        documents[600].Email = "taken@x";

        int Logged(UserCollection collection)
        {
            collection.Insert(new User { Id = -1, Email = "taken@x", Age = 3 });
            using var tx = collection.Database.BeginWrite(Durability.Durable);
            tx.CreateKeyspace("promotes");
            var before = tx.LoggedOperations;
            var refusal = Assert.Throws<UniqueConstraintException>(() => collection.InsertMany(documents, tx));
            Assert.Equal("Email", refusal.Index);
            var logged = tx.LoggedOperations - before;
            tx.Commit();
            return logged;
        }

        var expected = Logged(oneByOne);
        Assert.Equal(expected, Logged(users));
        Assert.True(expected >= 600 * 3, $"{expected} operations: fewer than the 600 documents and their entries");
        Assert.Equal(600, users.BulkInserted);
        var written = Trees(db, "users");
        Assert.Equal(Trees(oneByOne.Database, "users"), written);

        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(2));
        db.Dispose();
        using var recovered = TestDatabases.Open(image, options);
        Assert.True(recovered.Recovered!.Commits >= 2, "the reopen replayed nothing: the test did not read the run back from the log");
        Assert.Equal(written, Trees(recovered, "users"));
        TestDatabases.AssertConsistent(recovered);
    }
}
