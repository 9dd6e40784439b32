using Persistence.Testing;
using static Persistence.Tests.CheckedValues;

namespace Persistence.Tests.Wal;

/// <summary>
/// What a commit that the log writer failed or refused leaves behind: not its scratch file, which goes as the commit
/// fails (its version is never published, so the pruning that deletes a committed log's file never reaches it), and
/// not its bytes in the count of log written since the checkpoint.
/// </summary>
public sealed partial class LogSpillTests
{
    /// <summary>
    /// The large commit whose scratch file fails as the log writer reads it, and a second large commit sequenced after
    /// it in the same batch (refused): both files are gone when the commits have failed, before the transactions are
    /// disposed or the database closed; and the log counted since the checkpoint is what was written, not what the two
    /// commits had been given.
    /// </summary>
    [Theory]
    [InlineData(ReadBack.Altered)]
    [InlineData(ReadBack.Fails)]
    public async Task The_scratch_files_of_a_failed_and_a_refused_commit_are_deleted_as_they_fail_and_their_bytes_are_not_counted(ReadBack readBack)
    {
        var fs = new SimulatedFileSystem();
        using var release = new ManualResetEventSlim();
        var (db, ks, large, spill, held) = HoldFirstCommitBesideLarge(fs, release);
        var second = db.BeginWrite();
        PutMany(second, ks, first: 2 * Keys); // keys of its own: it does not conflict with the large one
        var secondSpill = Assert.Single(SpillFiles(fs), f => f != spill);
        Task failing = Task.CompletedTask, refused = Task.CompletedTask;
        long plannedEnd;
        try
        {
            failing = Queue(db, large.Commit);
            refused = Queue(db, second.Commit);
            plannedEnd = db.Wal!.NextLsn;
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

        var wal = db.Wal;
        Assert.True(plannedEnd > wal.WrittenLsn + (100 << 10), "the two commits were given no log space: the test proves nothing");
        Assert.Equal(wal.WrittenLsn, wal.NextLsn);
        Assert.Equal(wal.WrittenLsn - db.Checkpointer!.Durable.WalStartLsn, db.GetStatistics().WalBytesSinceCheckpoint);

        // A commit sequenced before the database turned read-only reaches the log writer only now: refused, it takes
        // no log space either.
        var latest = db.Versions.Latest;
        var late = wal.Submit(new Persistence.Transactions.DbVersion(latest.Number + 1, latest.Roots, latest.Catalog, 0), [], durable: true);
        Assert.Throws<DatabaseReadOnlyException>(() => wal.Wait(late));
        Assert.Equal(wal.WrittenLsn, wal.NextLsn);

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
