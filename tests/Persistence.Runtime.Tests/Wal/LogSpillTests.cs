using Persistence.Testing;
using static Persistence.Tests.CheckedValues;

namespace Persistence.Tests.Wal;

/// <summary>
/// A large transaction's finished log chunks move to a scratch file beside the database instead of staying in memory
/// until the commit. They must come back intact wherever the log is read (the WAL write, a replay on a newer version,
/// another writer's conflict check), the file must go away with the log, and a failure of the scratch file must never
/// cost an acknowledged commit.
/// </summary>
public sealed class LogSpillTests
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

    [Fact]
    public void A_spilled_chunk_that_reads_back_wrong_fails_its_commit_and_nothing_acknowledged_is_lost()
    {
        var fs = new SimulatedFileSystem();
        var db = Database.Open(Path, Options(), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Key(0), Value(0, 5)));
        using (var tx = db.BeginWrite())
        {
            PutAll(tx, ks, round: 1);
            var spill = Assert.Single(SpillFiles(fs));
            fs.Corrupt(spill, 100, [0xFF, 0x00, 0xFF]);
            var failure = Assert.Throws<DatabaseReadOnlyException>(tx.Commit);
            Assert.IsType<CorruptionException>(failure.InnerException);
        }

        Assert.True(db.IsReadOnly);
        using (var read = db.BeginRead())
        {
            Assert.Equal(5, Round(0, read.Get(ks, Key(0)))); // the failed commit was never published
        }

        db.Dispose();
        Assert.Empty(SpillFiles(fs));
        using var reopened = Database.Open(Path, Options(), fs);
        using var after = reopened.BeginRead();
        var keyspace = after.GetKeyspace("k");
        Assert.Equal(1, after.Count(keyspace));
        Assert.Equal(5, Round(0, after.Get(keyspace, Key(0))));
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

    private static void PutAll(WriteTransaction tx, Keyspace ks, int round)
    {
        for (var i = 0; i < Keys; i++)
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
