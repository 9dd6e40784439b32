using Persistence.Testing;
using static Persistence.Tests.CheckedValues;

namespace Persistence.Tests.Wal;

/// <summary>
/// What a commit that the log writer failed or refused leaves behind: not its scratch file, which goes as the commit
/// fails (its version is never published, so the pruning that deletes a committed log's file never reaches it).
/// </summary>
public sealed partial class LogSpillTests
{
    /// <summary>
    /// The large commit whose scratch file fails as the log writer reads it, and a second large commit sequenced after
    /// it in the same batch (refused): both files are gone when the commits have failed, before the transactions are
    /// disposed or the database closed.
    /// </summary>
    [Theory]
    [InlineData(ReadBack.Altered)]
    [InlineData(ReadBack.Fails)]
    public async Task The_scratch_files_of_a_failed_and_a_refused_commit_are_deleted_as_they_fail(ReadBack readBack)
    {
        var fs = new SimulatedFileSystem();
        using var release = new ManualResetEventSlim();
        var (db, ks, large, spill, held) = HoldFirstCommitBesideLarge(fs, release);
        var second = db.BeginWrite();
        PutMany(second, ks, first: 2 * Keys); // keys of its own: it does not conflict with the large one
        var secondSpill = Assert.Single(SpillFiles(fs), f => f != spill);
        Task failing = Task.CompletedTask, refused = Task.CompletedTask;
        try
        {
            failing = Queue(db, large.Commit);
            refused = Queue(db, second.Commit);
            Damage(fs, spill, readBack); // every read of it from now on is the log writer's
        }
        finally
        {
            release.Set();
        }

        await held;
        AssertScratchFailure(await Assert.ThrowsAnyAsync<PersistenceException>(() => failing), readBack, spill);
        Assert.Equal(ErrorCode.DatabaseReadOnly, (await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => refused)).Code);
        Assert.DoesNotContain(spill, SpillFiles(fs));
        Assert.DoesNotContain(secondSpill, SpillFiles(fs));
        Assert.Empty(SpillFiles(fs));
        Undamage(fs);

        large.Dispose();
        second.Dispose();
        AssertOnlyAcknowledged(db, [Keys + 1]);
        db.Dispose();
        using var reopened = Database.Open(Path, Options(), fs);
        AssertOnlyAcknowledged(reopened, [Keys + 1]);
    }

    /// <summary>
    /// The failed commit's scratch file will not go: the commit still fails with the file's read failure (not the
    /// delete's), the delete's failure is logged (event 12, a warning), and the close deletes the file.
    /// </summary>
    [Fact]
    public void A_scratch_file_of_a_failed_commit_that_cannot_be_deleted_is_logged_and_the_commit_fails_with_its_own_failure()
    {
        var fs = new SimulatedFileSystem();
        var logger = new CapturingLogger();
        var db = Database.Open(Path, Options(logger), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var deleteFailure = new IOException("injected spill delete error");
        string spill;
        using (var tx = db.BeginWrite())
        {
            PutAll(tx, ks, round: 1); // nothing committed since its snapshot: only the log writer reads its spill file back
            spill = Assert.Single(SpillFiles(fs));
            Damage(fs, spill, ReadBack.Fails);
            fs.DeleteFault = path => path == spill ? deleteFailure : null;
            AssertScratchFailure(Assert.ThrowsAny<PersistenceException>(tx.Commit), ReadBack.Fails, spill);
            Undamage(fs);
        }

        Assert.Equal([spill], SpillFiles(fs));
        var logged = Assert.Single(logger.Entries, e => e.Event.Id == 12);
        Assert.Same(deleteFailure, logged.Exception?.InnerException); // the storage file's StorageException around it
        fs.DeleteFault = null;
        db.Dispose();
        Assert.Empty(SpillFiles(fs));
    }

    /// <summary>Puts <see cref="Keys"/> keys from <paramref name="first"/> on, with values as large as <see cref="PutAll"/>'s.</summary>
    private static void PutMany(WriteTransaction tx, Keyspace ks, int first)
    {
        for (var i = first; i < first + Keys; i++)
        {
            var value = new byte[150];
            Value(i, 1).CopyTo(value, 0);
            tx.Put(ks, Key(i), value);
        }
    }
}
