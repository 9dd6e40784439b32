using Persistence.Testing;
using static Persistence.Tests.CheckedValues;

namespace Persistence.Tests.Wal;

/// <summary>
/// A large transaction's finished log chunks move to a scratch file beside the database instead of staying in memory
/// until the commit. They must come back intact wherever the log is read (the WAL write, a replay on a newer version,
/// another writer's conflict check), the file must go away with the log, and a failure of the scratch file must never
/// cost an acknowledged commit.
/// </summary>
public sealed partial class LogSpillTests
{
    private const string Path = "/spill/test.db";
    private const int Keys = 3_000;

    /// <summary>16 KiB WAL frames; spilling past 32 KiB of them; no checkpoint unless asked, so a reopen replays the WAL.</summary>
    private static DatabaseOptions Options(CapturingLogger? logger = null) => new()
    {
        PageSize = 4096,
        PageCacheBytes = 16L << 20,
        WalSegmentBytes = 64 << 10,
        CheckpointWalBytes = 1L << 40,
        CheckpointInterval = TimeSpan.FromDays(1),
        TimeProvider = new FakeTimeProvider(),
        LogSpillBytes = 32 << 10,
        Logger = logger,
    };

    [Fact]
    public void A_large_transaction_keeps_little_of_its_log_in_memory_and_a_crash_after_its_commit_recovers_all_of_it()
    {
        var fs = new SimulatedFileSystem();
        var db = Database.Open(Path, Options(), fs);
        db.Wal!.MaxLoadedRunBytes = 20 << 10; // a run of spilled frames is written after each one read back (16 KiB frames)
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        using (var tx = db.BeginWrite())
        {
            PutAll(tx, ks, round: 1);
            var log = tx.Log!;
            Assert.True(log.PayloadBytes > 10 * (32 << 10), $"the log holds only {log.PayloadBytes} bytes");

            // What stays in memory: under the threshold of finished chunks plus the chunk being filled (16 KiB frames).
            Assert.True(log.PayloadBytes - log.SpilledBytes < (32 << 10) + (2 * (16 << 10)), $"{log.PayloadBytes - log.SpilledBytes} of {log.PayloadBytes} bytes are still in memory");
            Assert.Single(SpillFiles(fs));
            tx.Commit();
        }

        Assert.Empty(SpillFiles(fs)); // the committed log was dropped with its file once no writer could need it
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        db.Dispose();
        using var reopened = Database.Open(Path, Options(), image);
        Assert.True(reopened.Recovered!.Commits >= 1, "the reopen replayed nothing: the test did not read the spilled frames back from the WAL");
        AssertAll(reopened, round: 1);
    }

    [Fact]
    public void A_transaction_that_rolls_back_deletes_its_spill_file()
    {
        var fs = new SimulatedFileSystem();
        using var db = Database.Open(Path, Options(), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        using (var tx = db.BeginWrite())
        {
            PutAll(tx, ks, round: 1);
            Assert.Single(SpillFiles(fs));
        }

        Assert.Empty(SpillFiles(fs));
        using var read = db.BeginRead();
        Assert.Equal(0, read.Count(ks));
    }

    [Fact]
    public void A_spilled_log_replays_on_a_newer_version_and_a_spilled_commit_conflicts_with_an_older_writer()
    {
        var fs = new SimulatedFileSystem();
        var db = Database.Open(Path, Options(), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var older = db.BeginWrite(); // its snapshot predates the large commit below
        older.Put(ks, Key(7), Value(7, 9));
        var bystander = db.BeginWrite();
        bystander.Put(ks, Key(Keys + 1), Value(Keys + 1, 1));
        using (var large = db.BeginWrite())
        {
            PutAll(large, ks, round: 1);
            Assert.True(large.Log!.SpilledBytes > 0);
            bystander.Commit(); // so the large transaction cannot adopt its own tree: its spilled log is replayed on this version
            bystander.Dispose();
            large.Commit();
        }

        // The older writer checks its key against the large commit's spilled log, and it wrote key 7 too.
        var conflict = Assert.Throws<WriteConflictException>(older.Commit);
        Assert.Equal(ErrorCode.WriteConflict, conflict.Code);
        older.Dispose();
        Assert.Empty(SpillFiles(fs));

        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(2));
        db.Dispose();
        using var reopened = Database.Open(Path, Options(), image);
        AssertAll(reopened, round: 1);
        using var read = reopened.BeginRead();
        Assert.Equal(1, Round(Keys + 1, read.Get(read.GetKeyspace("k"), Key(Keys + 1))));
    }

    [Fact]
    public void A_spill_file_that_cannot_be_written_leaves_the_log_in_memory_and_the_commit_succeeds()
    {
        var fs = new SimulatedFileSystem();
        var logger = new CapturingLogger();
        var db = Database.Open(Path, Options(logger), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        fs.Fault = point => point.Kind == FaultKind.Write && point.Path.Contains(LogSpillInfix, StringComparison.Ordinal) ? new IOException("injected spill write error") : null;
        using (var tx = db.BeginWrite())
        {
            PutAll(tx, ks, round: 1);
            Assert.Equal(0, tx.Log!.SpilledBytes);
            tx.Commit();
        }

        fs.Fault = null;
        Assert.True(logger.Has(11), "the failed spill was not logged");
        Assert.False(db.IsReadOnly);
        Assert.Empty(SpillFiles(fs));
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(3));
        db.Dispose();
        using var reopened = Database.Open(Path, Options(), image);
        AssertAll(reopened, round: 1);
    }

    /// <summary>
    /// Before the log writer, a spilled log is read back by its own commit, which checks it against the commits since
    /// its snapshot and replays it on the newest, and by the conflict check of every older writer's commit. That commit
    /// fails with the typed failure (nothing of it applied, the altered bytes never taken for data) and only it: a scratch
    /// file is not the database, which stays writable.
    /// </summary>
    [Theory]
    [InlineData(SpillReader.OwnCheck, ReadBack.Altered)]
    [InlineData(SpillReader.OwnCheck, ReadBack.Fails)]
    [InlineData(SpillReader.Replay, ReadBack.Altered)]
    [InlineData(SpillReader.Replay, ReadBack.Fails)]
    [InlineData(SpillReader.OlderCheck, ReadBack.Altered)]
    [InlineData(SpillReader.OlderCheck, ReadBack.Fails)]
    public void A_spilled_log_that_reads_back_wrong_before_the_log_writer_fails_only_the_commit_that_reads_it(SpillReader reader, ReadBack readBack)
    {
        var fs = new SimulatedFileSystem();
        var db = Database.Open(Path, Options(), fs);
        var (ks, large, older, spill) = LargeBesideOlder(db, fs, reader);

        // The replay reads each spilled chunk a second time, after the check has read them all without a failure.
        Damage(fs, spill, readBack, afterReads: reader == SpillReader.Replay ? large.Log!.Seal().Count(c => c.Spill is not null) : 0);
        var committing = reader == SpillReader.OlderCheck ? older : large;
        AssertScratchFailure(Assert.ThrowsAny<PersistenceException>(committing.Commit), readBack, spill);
        Undamage(fs);
        Assert.False(db.IsReadOnly);
        Assert.Throws<TransactionStateException>(committing.Commit); // complete: it cannot be committed again
        large.Dispose();
        older.Dispose();
        Assert.Empty(SpillFiles(fs)); // the failed log's file goes at once, a committed one once no writer needs it
        db.Write(tx => tx.Put(ks, Key(Keys + 2), Value(Keys + 2, 3)));

        // Acknowledged: the bystander's commit and the last one, and the large one when it was not the one refused.
        var expected = reader == SpillReader.OlderCheck ? Keys : 0;
        AssertFailedCommitLeftNothing(db, expected);
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(5));
        db.Dispose();
        using var reopened = Database.Open(Path, Options(), image);
        AssertFailedCommitLeftNothing(reopened, expected);
    }

    [Fact]
    public void A_power_failure_while_a_conflict_check_reads_a_spilled_log_back_reaches_the_committer_as_a_StorageException()
    {
        var fs = new SimulatedFileSystem();
        var options = Options();
        // Segments prepared on the writing thread: a preparation left to a thread-pool task could run after the crash
        // point is set, meet the power failure itself and fail the log (a read-only database), before the check reads.
        options.BackgroundWork = false;
        var db = Database.Open(Path, options, fs);
        var (_, large, older, _) = LargeBesideOlder(db, fs, SpillReader.OlderCheck);
        fs.CrashAtOperation = fs.Operations; // the next operation of any file meets the power failure
        using (var other = ((Persistence.Storage.IFileSystem)fs).OpenFile("/spill/other", create: true))
        {
            Assert.Throws<SimulatedCrashException>(() => other.Write(0, [1]));
        }

        var failure = Assert.Throws<StorageException>(older.Commit);
        Assert.Equal(ErrorCode.IOError, failure.Code);
        Assert.IsType<SimulatedCrashException>(failure.InnerException);
        large.Dispose();
        older.Dispose();
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(6));
        db.Dispose();
        using var reopened = Database.Open(Path, Options(), image);
        AssertFailedCommitLeftNothing(reopened, Keys, last: false);
    }

    /// <summary>Who reads a committed or committing transaction's spilled log back before the log writer does.</summary>
    public enum SpillReader
    {
        /// <summary>Its own commit, checking it against a commit since its snapshot.</summary>
        OwnCheck,

        /// <summary>Its own commit, replaying it on that newer version once the check passed.</summary>
        Replay,

        /// <summary>The commit of an older writer, checking its keys against it.</summary>
        OlderCheck,
    }

    /// <summary>How a spilled chunk reads back.</summary>
    public enum ReadBack
    {
        /// <summary>With bytes other than those written (its checksum fails).</summary>
        Altered,

        /// <summary>Not at all: the read fails with an I/O error.</summary>
        Fails,
    }

    /// <summary>
    /// A large transaction with a spilled log, an older writer that wrote one of its keys (key 7), and a bystander's
    /// commit of key <c>Keys + 1</c>: after the large one's commit for <see cref="SpillReader.OlderCheck"/> (its log and
    /// file kept for the older writer's check), before it otherwise (it then checks and replays on it).
    /// </summary>
    private static (Keyspace Keyspace, WriteTransaction Large, WriteTransaction Older, string Spill) LargeBesideOlder(
        Database db, SimulatedFileSystem fs, SpillReader reader)
    {
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var older = db.BeginWrite();
        older.Put(ks, Key(7), Value(7, 9));
        var large = db.BeginWrite();
        PutAll(large, ks, round: 1);
        Assert.True(large.Log!.SpilledBytes > 0);
        var spill = Assert.Single(SpillFiles(fs));
        if (reader == SpillReader.OlderCheck)
        {
            large.Commit();
            Assert.Single(SpillFiles(fs));
        }

        db.Write(tx => tx.Put(ks, Key(Keys + 1), Value(Keys + 1, 1)));
        return (ks, large, older, spill);
    }

    /// <summary>Makes the spill file read back wrong (<see cref="DamageNow"/>) from the read after the first <paramref name="afterReads"/> reads of it on.</summary>
    private static void Damage(SimulatedFileSystem fs, string spill, ReadBack readBack, int afterReads = 0)
    {
        var reads = 0;
        fs.BeforeRead = point =>
        {
            if (point.Path == spill && !point.OfLength && reads++ == afterReads)
            {
                DamageNow(fs, spill, readBack);
            }
        };
    }

    /// <summary>Makes every chunk of the spill file read back wrong: its bytes altered on the disk (all of them from offset 100 on), or every read of the file failing.</summary>
    private static void DamageNow(SimulatedFileSystem fs, string spill, ReadBack readBack)
    {
        if (readBack == ReadBack.Altered)
        {
            var altered = fs.ReadAllBytes(spill).AsSpan(100);
            foreach (ref var b in altered)
            {
                b = (byte)~b;
            }

            fs.Corrupt(spill, 100, altered);
        }
        else
        {
            fs.ReadFault = path => path == spill ? new IOException("injected spill read error") : null;
        }
    }

    /// <summary>The typed failure of the spill file <paramref name="spill"/>: what <see cref="Damage"/> made of its read back.</summary>
    private static void AssertScratchFailure(PersistenceException failure, ReadBack readBack, string spill)
    {
        if (readBack == ReadBack.Altered)
        {
            Assert.Equal(ErrorCode.Corruption, failure.Code);
            Assert.Equal(spill, Assert.IsType<CorruptionException>(failure).FilePath);
        }
        else
        {
            Assert.Equal(ErrorCode.IOError, Assert.IsType<StorageException>(failure).Code);
            Assert.Equal("injected spill read error", failure.InnerException?.Message);
        }
    }

    private static void Undamage(SimulatedFileSystem fs)
    {
        fs.BeforeRead = null;
        fs.ReadFault = null;
    }

    /// <summary>
    /// The large transaction's <paramref name="largeKeys"/> keys (all or none), the bystander's, the <paramref name="last"/>
    /// commit's, and never the older writer's key 7.
    /// </summary>
    private static void AssertFailedCommitLeftNothing(Database db, int largeKeys, bool last = true)
    {
        using var read = db.BeginRead();
        var ks = read.GetKeyspace("k");
        Assert.Equal(largeKeys + (last ? 2 : 1), read.Count(ks));
        Assert.Equal(1, Round(Keys + 1, read.Get(ks, Key(Keys + 1))));
        Assert.Equal(last ? 3 : -1, Round(Keys + 2, read.Get(ks, Key(Keys + 2))));
        if (largeKeys > 0)
        {
            Assert.Equal(1, Round(7, read.Get(ks, Key(7)).AsSpan(0, 40)));
        }

        var report = db.CheckConsistency();
        Assert.True(report.IsConsistent, report.ToString());
    }

    [Fact]
    public void Spill_files_left_by_a_crash_are_deleted_at_the_next_open()
    {
        var fs = new SimulatedFileSystem();
        var db = Database.Open(Path, Options(), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var tx = db.BeginWrite();
        PutAll(tx, ks, round: 1);
        Assert.Single(SpillFiles(fs));
        var image = fs.AfterCrash(CrashMode.KeepAll, new Random(4)); // power fails while the transaction is open
        tx.Dispose();
        db.Dispose();
        Assert.Single(SpillFiles(image));

        using var reopened = Database.Open(Path, Options(), image);
        Assert.Empty(SpillFiles(image));
        Assert.Contains(image.AllFiles(), f => f.EndsWith("/test.db", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_files_named_as_spill_files_are_deleted_at_open()
    {
        var fs = new SimulatedFileSystem();
        Database.Open(Path, Options(), fs).Dispose();
        string[] kept = ["/spill/test.db-spill-archive.db", "/spill/test.db-spill-", "/spill/test.db-spill-12x", "/spill/other.db-spill-3", "/spill/test.db-spill-4/x"];
        foreach (var name in kept.Append("/spill/test.db-spill-7").Append("/spill/test.db-spill-0123"))
        {
            using var file = ((Persistence.Storage.IFileSystem)fs).OpenFile(name, create: true);
            file.Write(0, [1, 2, 3]);
        }

        using var db = Database.Open(Path, Options(), fs);
        var files = fs.AllFiles();
        Assert.All(kept, name => Assert.Contains(name, files));
        Assert.DoesNotContain("/spill/test.db-spill-7", files);
        Assert.DoesNotContain("/spill/test.db-spill-0123", files);
    }

    [Fact]
    public void A_leftover_spill_file_that_cannot_be_deleted_is_logged_and_does_not_stop_the_open()
    {
        var fs = new SimulatedFileSystem();
        Database.Open(Path, Options(), fs).Dispose();
        using (var file = ((Persistence.Storage.IFileSystem)fs).OpenFile("/spill/test.db-spill-3", create: true))
        {
            file.Write(0, [1]);
        }

        fs.DeleteFault = path => path.Contains(LogSpillInfix, StringComparison.Ordinal) ? new UnauthorizedAccessException("injected: permission denied") : null;
        var logger = new CapturingLogger();
        using (var db = Database.Open(Path, Options(logger), fs))
        {
            Assert.True(logger.Has(12), "the failed cleanup was not logged");
            var ks = db.Write(tx => tx.CreateKeyspace("k"));
            db.Write(tx => PutAll(tx, ks, round: 1)); // its own spill file cannot be deleted either: the commit still succeeds
            AssertAll(db, round: 1);
        }

        fs.DeleteFault = null;
        using var reopened = Database.Open(Path, Options(), fs);
        Assert.Empty(SpillFiles(fs));
        AssertAll(reopened, round: 1);
    }

    private const string LogSpillInfix = "-spill-";

    /// <summary>Puts <see cref="Keys"/> keys from <paramref name="first"/> on, each with a 150-byte value of <paramref name="round"/>.</summary>
    private static void PutAll(WriteTransaction tx, Keyspace ks, int round, int first = 0)
    {
        for (var i = first; i < first + Keys; i++)
        {
            var value = new byte[150];
            Value(i, round).CopyTo(value, 0);
            tx.Put(ks, Key(i), value);
        }
    }

    private static void AssertAll(Database db, int round)
    {
        using var read = db.BeginRead();
        var ks = read.GetKeyspace("k");
        for (var i = 0; i < Keys; i++)
        {
            var value = read.Get(ks, Key(i));
            Assert.True(value is { Length: 150 }, $"key {i}: {value?.Length.ToString() ?? "missing"}");
            Assert.Equal(round, Round(i, value.AsSpan(0, 40)));
        }

        var report = db.CheckConsistency();
        Assert.True(report.IsConsistent, report.ToString());
    }

    private static List<string> SpillFiles(SimulatedFileSystem fs) => [.. fs.AllFiles().Where(f => f.Contains(LogSpillInfix, StringComparison.Ordinal))];
}
