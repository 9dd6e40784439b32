using Persistence.Testing;
using static Persistence.Tests.CheckedValues;

namespace Persistence.Tests.Wal;

/// <summary>
/// The log writer reads a spilled log back as it writes the commit's batch. A failure there is the scratch file's, not
/// the log's: that commit fails with it and nothing of it is in the log; the commits before it are written and synced
/// (a power failure right after keeps every one acknowledged, buffered ones too); the commits sequenced after it were
/// built on it, so they are refused and the database turns read-only.
/// </summary>
public sealed partial class LogSpillTests
{
    /// <summary>
    /// A buffered commit acknowledged just before (written, not synced) survives a power failure right after the failed
    /// commit, itself buffered: the writer syncs what came before it at once, asked or not. With a read-back buffer of one frame and the failure at a later chunk, part of the failed commit's frames
    /// were written to the log before it: they are an incomplete commit, never replayed.
    /// </summary>
    [Theory]
    [InlineData(ReadBack.Altered, 0)]
    [InlineData(ReadBack.Fails, 0)]
    [InlineData(ReadBack.Altered, 5)]
    [InlineData(ReadBack.Fails, 5)]
    public void A_spilled_chunk_that_reads_back_wrong_in_the_log_writer_fails_its_commit_and_the_buffered_commit_before_it_survives_a_power_failure(
        ReadBack readBack, int afterReads)
    {
        var fs = new SimulatedFileSystem();
        var db = Database.Open(Path, Options(), fs);
        db.Wal!.MaxLoadedRunBytes = 20 << 10; // each spilled frame read back is written before the next one is read
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Key(Keys + 1), Value(Keys + 1, 1)), durability: Durability.Buffered);
        Assert.True(db.Wal.WrittenLsn > db.Wal.DurableLsn, "the buffered commit was synced: the test proves nothing");
        using (var tx = db.BeginWrite(Durability.Buffered)) // so that no commit in its batch asks for the sync
        {
            PutAll(tx, ks, round: 1); // nothing committed since its snapshot: only the log writer reads its spill file back
            var spill = Assert.Single(SpillFiles(fs));
            Damage(fs, spill, readBack, afterReads);
            AssertScratchFailure(Assert.ThrowsAny<PersistenceException>(tx.Commit), readBack, spill);
            Undamage(fs);
        }

        Assert.True(db.IsReadOnly); // the chain holds the failed commit's version, which is never written
        Assert.Equal(ErrorCode.DatabaseReadOnly, Assert.Throws<DatabaseReadOnlyException>(() => db.Write(tx => tx.Put(ks, Key(Keys + 2), Value(Keys + 2, 3)))).Code);

        // A commit sequenced before the database turned read-only (on the failed commit's version) reaches the log writer
        // only now: it is refused, not written.
        var latest = db.Versions.Latest;
        var late = db.Wal.Submit(new Persistence.Transactions.DbVersion(latest.Number + 1, latest.Roots, latest.Catalog, 0), [], durable: true);
        Assert.Equal(ErrorCode.DatabaseReadOnly, Assert.Throws<DatabaseReadOnlyException>(() => db.Wal.Wait(late)).Code);
        AssertOnlyAcknowledged(db, [Keys + 1]);
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(7)); // power fails before anything else syncs
        db.Dispose();
        Assert.Empty(SpillFiles(fs));
        using (var crashed = Database.Open(Path, Options(), image))
        {
            AssertOnlyAcknowledged(crashed, [Keys + 1]);
        }

        using var reopened = Database.Open(Path, Options(), fs);
        AssertOnlyAcknowledged(reopened, [Keys + 1]);
    }

    /// <summary>
    /// A batch of four commits queued while the one before held its sync: a buffered and a durable commit, the large
    /// one whose spill file fails as the log writer reads it, and a durable commit after it, built on its version; and
    /// a fifth commit queued while the writer reads the spill file, so not in that batch. The first two are acknowledged
    /// and durable, the large one fails with the scratch file's failure, the last two are refused (nothing of them
    /// written) with the read-only failure that the scratch file's caused.
    /// </summary>
    [Theory]
    [InlineData(ReadBack.Altered)]
    [InlineData(ReadBack.Fails)]
    public async Task A_spill_read_failure_in_the_log_writer_fails_the_commits_after_it_in_its_batch_and_not_those_before(ReadBack readBack)
    {
        var fs = new SimulatedFileSystem();
        using var release = new ManualResetEventSlim();
        var (db, ks, large, spill, held) = HoldFirstCommitBesideLarge(fs, release);
        using var inRead = new ManualResetEventSlim();
        using var releaseRead = new ManualResetEventSlim();
        Task buffered = Task.CompletedTask, durable = Task.CompletedTask, failing = Task.CompletedTask, after = Task.CompletedTask, queued = Task.CompletedTask;
        try
        {
            buffered = Queue(db, () => db.Write(tx => tx.Put(ks, Key(Keys + 2), Value(Keys + 2, 2)), durability: Durability.Buffered));
            durable = Queue(db, () => db.Write(tx => tx.Put(ks, Key(Keys + 3), Value(Keys + 3, 3))));
            failing = Queue(db, large.Commit); // its check and replay read the spill file whole, before the damage
            after = Queue(db, () => db.Write(tx => tx.Put(ks, Key(Keys + 4), Value(Keys + 4, 4))));

            // Every commit is sequenced: the next read of the spill file is the log writer's, held until the next
            // commit (which reads the file whole for its own check) is queued behind the batch.
            var holding = 0;
            fs.BeforeRead = point =>
            {
                if (point.Path == spill && Interlocked.Exchange(ref holding, 1) == 0)
                {
                    inRead.Set();
                    releaseRead.Wait();
                }
            };
            release.Set();
            Assert.True(inRead.Wait(TimeSpan.FromSeconds(60)), "the log writer never read the spill file"); // a bound, not a timing
            queued = Queue(db, () => db.Write(tx => tx.Put(ks, Key(Keys + 5), Value(Keys + 5, 5))));
            DamageNow(fs, spill, readBack);
        }
        finally
        {
            release.Set(); // also when an assertion failed: a held commit would keep Dispose waiting
            releaseRead.Set();
        }

        await held;
        await buffered;
        await durable;
        var failure = await Assert.ThrowsAnyAsync<PersistenceException>(() => failing);
        Undamage(fs);
        AssertScratchFailure(failure, readBack, spill);
        var refused = await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => after);
        Assert.Equal(ErrorCode.DatabaseReadOnly, refused.Code);
        Assert.Same(failure, refused.InnerException);
        Assert.Same(refused, await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => queued));
        large.Dispose();

        Assert.True(db.IsReadOnly);
        AssertOnlyAcknowledged(db, [Keys + 1, Keys + 2, Keys + 3]);
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(8));
        db.Dispose();
        using (var crashed = Database.Open(Path, Options(), image))
        {
            AssertOnlyAcknowledged(crashed, [Keys + 1, Keys + 2, Keys + 3]);
        }

        using var reopened = Database.Open(Path, Options(), fs);
        AssertOnlyAcknowledged(reopened, [Keys + 1, Keys + 2, Keys + 3]);
    }

    /// <summary>
    /// The sync that follows a spilled chunk's failed read back fails in turn: that is the log's failure, and its rule
    /// holds. The database's read-only cause is the failed sync (logged), not a refusal saying that every commit
    /// acknowledged before is durable (the buffered one is not); the failed commit fails with it, and the close does
    /// not sync the log again.
    /// </summary>
    [Fact]
    public void A_sync_that_fails_after_a_spill_read_failure_in_the_log_writer_is_the_log_failure_and_is_never_retried()
    {
        var fs = new SimulatedFileSystem();
        var logger = new CapturingLogger();
        var db = Database.Open(Path, Options(logger), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Key(Keys + 1), Value(Keys + 1, 1)), durability: Durability.Buffered);
        Assert.True(db.Wal!.WrittenLsn > db.Wal.DurableLsn, "the buffered commit was synced: the test proves nothing");
        var syncFailure = new IOException("injected log sync error");
        var logSyncs = 0;
        using (var tx = db.BeginWrite(Durability.Buffered))
        {
            PutAll(tx, ks, round: 1);
            Damage(fs, Assert.Single(SpillFiles(fs)), ReadBack.Fails);
            // The log's first segment, which holds every frame written (a later one is only prepared ahead of use).
            fs.Fault = point => point.Kind == FaultKind.Flush && point.Path.EndsWith("0000000000000000.wal", StringComparison.Ordinal)
                && Interlocked.Increment(ref logSyncs) == 1 ? syncFailure : null;
            var failure = Assert.Throws<DatabaseReadOnlyException>(tx.Commit);
            Assert.Same(syncFailure, Assert.IsType<StorageException>(failure.InnerException).InnerException);
            Undamage(fs);
        }

        Assert.Equal(1, logSyncs);
        var cause = Assert.IsType<DatabaseReadOnlyException>(db.ReadOnlyCause);
        Assert.Same(syncFailure, cause.InnerException?.InnerException); // the storage file's StorageException around it
        Assert.Contains(logger.Entries, e => e.Event.Id == 5 && e.Exception == cause);
        Assert.True(db.Wal.HasFailed);
        db.Dispose();
        Assert.Equal(1, logSyncs); // never retried: not by the close either
    }

    /// <summary>
    /// The failed commit shares its batch with a buffered commit before it and a durable one after it, and part of its
    /// frames, across segments, reached the log before its read failed (a read-back buffer of one frame). They are an
    /// incomplete commit right after the last one acknowledged: the next open drops them, and the commits written there
    /// after that open replay alone, after a power failure too.
    /// </summary>
    [Fact]
    public async Task The_frames_a_failed_spilled_commit_left_in_the_middle_of_its_batch_are_overwritten_after_the_reopen()
    {
        var fs = new SimulatedFileSystem();
        using var release = new ManualResetEventSlim();
        var (db, ks, large, spill, held) = HoldFirstCommitBesideLarge(fs, release);
        db.Wal!.MaxLoadedRunBytes = 20 << 10;
        Task buffered = Task.CompletedTask, failing = Task.CompletedTask, after = Task.CompletedTask;
        var framesBefore = 0L;
        var failingEnd = 0L;
        try
        {
            buffered = Queue(db, () => db.Write(tx => tx.Put(ks, Key(Keys + 2), Value(Keys + 2, 2)), durability: Durability.Buffered));
            failing = Queue(db, large.Commit);
            failingEnd = db.Wal.NextLsn; // where the failed commit was to end: the log's planned end goes back once it fails
            after = Queue(db, () => db.Write(tx => tx.Put(ks, Key(Keys + 4), Value(Keys + 4, 4))));
            framesBefore = db.Wal.FramesWritten;
            Damage(fs, spill, ReadBack.Fails, afterReads: 6); // every read from now on is the log writer's
        }
        finally
        {
            release.Set();
        }

        await held;
        await buffered;
        AssertScratchFailure(await Assert.ThrowsAnyAsync<PersistenceException>(() => failing), ReadBack.Fails, spill);
        await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => after);
        Undamage(fs);
        large.Dispose();
        Assert.True(db.Wal.FramesWritten - framesBefore > 6, "the failed commit's frames read back were not written: the test proves nothing");
        Assert.True(failingEnd / (64 << 10) > db.Wal.WrittenLsn / (64 << 10), "the failed commit stayed in one segment");
        Assert.Equal(db.Wal.WrittenLsn, db.Wal.NextLsn); // its frames, in the next segment too, lie past the planned end
        db.Dispose();

        using (var reopened = Database.Open(Path, Options(), fs))
        {
            AssertOnlyAcknowledged(reopened, [Keys + 1, Keys + 2]);
            reopened.Write(tx => tx.Put(tx.GetKeyspace("k"), Key(Keys + 5), Value(Keys + 5, 5)));
            var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(9));
            using var crashed = Database.Open(Path, Options(), image);
            AssertOnlyAcknowledged(crashed, [Keys + 1, Keys + 2, Keys + 5]);
        }

        using var again = Database.Open(Path, Options(), fs);
        AssertOnlyAcknowledged(again, [Keys + 1, Keys + 2, Keys + 5]);
    }

    /// <summary>
    /// A checkpoint that chose the failed commit's version, or a later one built on it, while they were queued waits for
    /// its sync and then refuses to write it: the durable checkpoint stays where it was, and the reopen replays only the
    /// commits acknowledged.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_checkpoint_that_chose_the_failed_spilled_commit_or_a_later_one_writes_nothing(bool laterCommit)
    {
        var fs = new SimulatedFileSystem();
        using var release = new ManualResetEventSlim();
        var (db, ks, large, spill, held) = HoldFirstCommitBesideLarge(fs, release);
        var checkpointed = db.Checkpointer!.Durable;
        Task failing = Task.CompletedTask, after = Task.CompletedTask, checkpoint = Task.CompletedTask;
        try
        {
            failing = Queue(db, large.Commit);
            if (laterCommit)
            {
                after = Queue(db, () => db.Write(tx => tx.Put(ks, Key(Keys + 4), Value(Keys + 4, 4))));
            }

            var target = db.Versions.Latest;
            checkpoint = BlockingWork.Run(() => db.Checkpoint());
            Assert.True(SpinWait.SpinUntil(() => target.Sealed || checkpoint.IsCompleted, TimeSpan.FromSeconds(60)), "the checkpoint never chose its version"); // a bound, not a timing
            Assert.False(checkpoint.IsCompleted);
            Damage(fs, spill, ReadBack.Fails); // every read from now on is the log writer's
        }
        finally
        {
            release.Set();
        }

        await held;
        AssertScratchFailure(await Assert.ThrowsAnyAsync<PersistenceException>(() => failing), ReadBack.Fails, spill);
        if (laterCommit)
        {
            await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => after);
        }

        await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => checkpoint);
        Undamage(fs);
        large.Dispose();
        Assert.Same(checkpointed, db.Checkpointer.Durable);
        AssertOnlyAcknowledged(db, [Keys + 1]);
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(10));
        db.Dispose();
        using (var crashed = Database.Open(Path, Options(), image))
        {
            AssertOnlyAcknowledged(crashed, [Keys + 1]);
        }

        using var reopened = Database.Open(Path, Options(), fs);
        AssertOnlyAcknowledged(reopened, [Keys + 1]);
    }

    /// <summary>
    /// Opens the database with a keyspace "k" and a large transaction whose log spilled (not committed), and holds the
    /// sync of a first commit (key <c>Keys + 1</c>), so that the commits queued meanwhile share the next batch. Setting
    /// <paramref name="release"/> lets the sync go.
    /// </summary>
    private static (Database Db, Keyspace Keyspace, WriteTransaction Large, string Spill, Task Held) HoldFirstCommitBesideLarge(
        SimulatedFileSystem fs, ManualResetEventSlim release)
    {
        var db = Database.Open(Path, Options(), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var large = db.BeginWrite();
        PutAll(large, ks, round: 1);
        var spill = Assert.Single(SpillFiles(fs));
        using var inFlush = new ManualResetEventSlim();
        GroupCommitTests.HoldFirstLogSync(fs, inFlush, release);
        var held = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Key(Keys + 1), Value(Keys + 1, 1))));
        if (!inFlush.Wait(TimeSpan.FromSeconds(60))) // a bound on a busy machine, not a timing
        {
            release.Set();
            Assert.Fail("the first commit never reached its sync");
        }

        return (db, ks, large, spill, held);
    }

    /// <summary>Commits on a thread of its own and returns once the commit is sequenced (queued for the log, which is held).</summary>
    private static Task Queue(Database db, Action commit)
    {
        var sequenced = db.Sequencer.Commits + 1;
        var task = BlockingWork.Run(commit);
        Assert.True(SpinWait.SpinUntil(() => db.Sequencer.Commits >= sequenced || task.IsCompleted, TimeSpan.FromSeconds(60)), "the commit was never sequenced"); // a bound, not a timing
        Assert.False(task.IsFaulted, task.Exception?.ToString());
        lock (db.Sequencer.SyncRoot)
        {
            // The count goes up as the commit is built, and it is queued for the log writer (its log space planned)
            // before that hold of the lock ends: taking the lock waits for that.
        }

        return task;
    }

    /// <summary>Exactly the keys <paramref name="acknowledged"/> (each at the round it was written with), none of the large transaction's.</summary>
    private static void AssertOnlyAcknowledged(Database db, int[] acknowledged)
    {
        using var read = db.BeginRead();
        var ks = read.GetKeyspace("k");
        Assert.Equal(acknowledged.Length, read.Count(ks));
        foreach (var key in acknowledged)
        {
            Assert.Equal(key - Keys, Round(key, read.Get(ks, Key(key))));
        }

        var report = db.CheckConsistency();
        Assert.True(report.IsConsistent, report.ToString());
    }
}
