using Persistence.Testing;
using Persistence.Tests.Collections;
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
        PutAll(second, ks, round: 1, first: 2 * Keys); // keys of its own: it does not conflict with the large one
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

    /// <summary>
    /// A commit that updates a cached document is reported to the hot cache as it is sequenced, and then refused (built
    /// on a large commit whose scratch file failed in the log writer): the cache never serves the refused update, before
    /// the reopen or after it, and keeps serving reads (the cached document is read again from the tree).
    /// </summary>
    [Fact]
    public async Task A_refused_commit_reported_to_the_hot_cache_leaves_every_read_with_the_committed_document()
    {
        var fs = new SimulatedFileSystem();
        var options = Options();
        options.Collections["users"] = new CollectionOptions { HotCacheMaxCount = 50 };
        var db = Database.Open(Path, options, fs);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", Name = "v1" });
        Assert.Equal("v1", users.Get(1)!.Name);
        Assert.Equal("v1", users.Get(1)!.Name); // cached now
        var hitsBefore = db.GetStatistics().HotCacheHits;
        Assert.Equal("v1", users.Get(1)!.Name);
        Assert.True(db.GetStatistics().HotCacheHits > hitsBefore, "the document is not served from the hot cache: the test proves nothing");

        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var large = db.BeginWrite();
        PutAll(large, ks, round: 1);
        var spill = Assert.Single(SpillFiles(fs));
        using var inFlush = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        GroupCommitTests.HoldFirstLogSync(fs, inFlush, release);
        var held = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Key(Keys + 1), Value(Keys + 1, 1))));
        Task failing = Task.CompletedTask, refused = Task.CompletedTask;
        try
        {
            Assert.True(inFlush.Wait(TimeSpan.FromSeconds(60)), "the first commit never reached its sync"); // a bound, not a timing
            failing = Queue(db, large.Commit);
            refused = Queue(db, () => users.Update(new User { Id = 1, Email = "a@example.com", Name = "v2" }));
            Damage(fs, spill, ReadBack.Fails); // every read of it from now on is the log writer's
        }
        finally
        {
            release.Set();
        }

        await held;
        AssertScratchFailure(await Assert.ThrowsAnyAsync<PersistenceException>(() => failing), ReadBack.Fails, spill);
        await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => refused);
        Undamage(fs);
        large.Dispose();

        Assert.Equal("v1", users.Get(1)!.Name);
        Assert.Equal("v1", users.Get(1)!.Name);
        Assert.Equal(1, users.ByEmail.Get("a@example.com")!.Id);
        db.Dispose();

        using var reopened = Database.Open(Path, options, fs);
        var again = new UserCollection(reopened);
        Assert.Equal("v1", again.Get(1)!.Name);
        Assert.Equal("v1", again.Get(1)!.Name);
    }

    /// <summary>
    /// A large commit whose scratch file fails part-way through being read for the write observers (the transaction's
    /// own tree adopted, so nothing read it before) fails alone, and the observers heard nothing of it: the next commit
    /// takes its version number, and a report of keys it never wrote could cost an observer what it cannot get back
    /// (the sliding-expiration tracker drops the key's pending read). The database stays writable.
    /// </summary>
    [Fact]
    public void A_spilled_log_that_fails_to_read_back_for_the_write_observers_reports_none_of_its_keys()
    {
        var fs = new SimulatedFileSystem();
        var db = Database.Open(Path, Options(), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var reports = new List<(byte[] Key, long Version)>();
        db.ObserveWrites(ks, (key, version) => reports.Add((key.ToArray(), version)));
        using (var tx = db.BeginWrite())
        {
            PutAll(tx, ks, round: 1); // nothing committed since its snapshot: its own tree is adopted, its log not replayed
            var spill = Assert.Single(SpillFiles(fs));
            Damage(fs, spill, ReadBack.Fails, afterReads: 2); // chunks read back before the failure hold many keys
            AssertScratchFailure(Assert.ThrowsAny<PersistenceException>(tx.Commit), ReadBack.Fails, spill);
            Undamage(fs);
        }

        Assert.Empty(reports);
        Assert.False(db.IsReadOnly);
        db.Write(tx => tx.Put(ks, Key(Keys + 1), Value(Keys + 1, 1)));
        Assert.Equal(Key(Keys + 1), Assert.Single(reports).Key);
        AssertOnlyAcknowledged(db, [Keys + 1]);
        db.Dispose();
    }

    /// <summary>
    /// The scratch file reads back whole for the check before the reports, then fails part-way through the reports: the
    /// observers heard keys of a commit that failed, and whose version number the next commit would take, so the
    /// database turns read-only with the scratch file's failure as its cause.
    /// </summary>
    [Fact]
    public void A_spilled_log_that_fails_to_read_back_after_some_keys_were_reported_makes_the_database_read_only()
    {
        var fs = new SimulatedFileSystem();
        var db = Database.Open(Path, Options(), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var reports = 0;
        db.ObserveWrites(ks, (_, _) => reports++);

        // A first large commit counts the reads of its scratch file: the check, the reports, and the log writer's.
        var reads = 0;
        using (var tx = db.BeginWrite())
        {
            PutAll(tx, ks, round: 1);
            var spill = Assert.Single(SpillFiles(fs));
            fs.BeforeRead = point => reads += point.Path == spill && !point.OfLength ? 1 : 0;
            tx.Commit();
            Undamage(fs);
        }

        Assert.True(reads % 3 == 0 && reads >= 6, $"{reads} reads of the scratch file: not three passes over the same chunks");
        reports = 0;
        using (var tx = db.BeginWrite())
        {
            PutAll(tx, ks, round: 2); // the same keys and sizes: the same chunks
            var spill = Assert.Single(SpillFiles(fs));
            Damage(fs, spill, ReadBack.Fails, afterReads: (reads / 3) + 1); // the second chunk of the reports
            var failure = Assert.ThrowsAny<PersistenceException>(tx.Commit);
            AssertScratchFailure(failure, ReadBack.Fails, spill);
            Undamage(fs);
            Assert.True(reports > 0, "nothing was reported before the failure: the test proves nothing");
            Assert.Same(failure, db.ReadOnlyCause);
        }

        Assert.Throws<DatabaseReadOnlyException>(() => db.Write(tx => tx.Put(ks, Key(Keys + 1), Value(Keys + 1, 1))));
        db.Dispose();
        using var reopened = Database.Open(Path, Options(), fs);
        AssertAll(reopened, round: 1);
    }
}
