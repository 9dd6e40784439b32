using Persistence.Testing;
using Persistence.Wal;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Wal;

/// <summary>
/// A new log segment is preferably a spare (an obsolete segment) renamed into place. A rename that failed left the
/// spare's file on disk untracked (never counted, never deleted until the next open) and turned the database
/// read-only, although nothing durable depends on reusing it: now it is logged (event 15), a new segment is created
/// instead, and the spare stays listed for the next checkpoint to reuse or delete.
/// </summary>
public sealed class SegmentRenameFailureTests
{
    private const string LogDirectory = "/sim/test.db-wal/";
    private const int SegmentSize = 64 << 10; // TestDatabases.Small's

    [Fact]
    public void A_spare_that_cannot_be_renamed_is_logged_kept_listed_and_reused_after_the_next_checkpoint()
    {
        var fs = new SimulatedFileSystem();
        var logger = new CapturingLogger();
        using var db = Open(fs, Options(logger));
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var rows = FillSegments(db, ks, round: 0);
        Assert.True(db.Checkpoint()); // recycles the filled segments: one is kept as the spare
        var spare = Assert.Single(SegmentsBelowCurrent(db, fs));

        var refused = RefuseRenames(fs);
        rows += FillSegments(db, ks, round: 1); // needs new segments: the spare's rename fails, a new segment is made instead

        Assert.Equal([spare], refused.Distinct());
        Assert.False(db.IsReadOnly);
        Assert.True(logger.Has(15), "the failed rename was not logged");
        Assert.Contains(spare, fs.AllFiles());
        AssertEverySegmentFileIsCounted(db, fs);

        fs.RenameFault = null;
        Assert.True(db.Checkpoint()); // the spare is listed again: kept as the spare
        Assert.Equal([spare], SegmentsBelowCurrent(db, fs));
        rows += FillSegments(db, ks, round: 2); // and renamed into place this time

        Assert.DoesNotContain(spare, fs.AllFiles());
        Assert.True(db.Checkpoint());
        Assert.InRange(SegmentsBelowCurrent(db, fs).Count, 0, 1);
        AssertEverySegmentFileIsCounted(db, fs);
        Assert.Equal(rows, Count(db, ks));
        AssertConsistent(db);
    }

    /// <summary>
    /// The process dies with the failed spare still on disk under its segment name: the open lists it, replays nothing
    /// from it (it lies wholly before the log's start), and its first checkpoint recycles it.
    /// </summary>
    [Fact]
    public void A_spare_left_by_a_failed_rename_is_not_replayed_by_the_next_open_and_its_first_checkpoint_recycles_it()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Options(new CapturingLogger()));
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        FillSegments(db, ks, round: 0);
        Assert.True(db.Checkpoint());
        var spare = Assert.Single(SegmentsBelowCurrent(db, fs));
        RefuseRenames(fs);
        var commitsAfterCheckpoint = FillSegments(db, ks, round: 1);
        var rows = Count(db, ks);

        var image = fs.AfterProcessCrash();
        db.Dispose();
        Assert.Contains(spare, image.AllFiles());
        using var reopened = Open(image, Options(new CapturingLogger()));

        Assert.Equal(commitsAfterCheckpoint, reopened.Recovered!.Commits); // the commits after the checkpoint, nothing from the spare
        Assert.Equal(rows, Count(reopened, "k"));
        AssertEverySegmentFileIsCounted(reopened, image);
        Assert.True(reopened.Checkpoint());
        Assert.InRange(SegmentsBelowCurrent(reopened, image).Count, 0, 1);
        AssertEverySegmentFileIsCounted(reopened, image);
        AssertConsistent(reopened);
    }

    /// <summary>
    /// The segments alone: whatever a preparation does about the failed rename, no segment file may drop out of the
    /// bookkeeping, and recycling must find the spare again (before, it stayed on disk until the next open).
    /// </summary>
    [Fact]
    public void After_a_failed_rename_the_spare_is_still_counted_and_recycling_leaves_at_most_one_spare()
    {
        var fs = new SimulatedFileSystem();
        using var segments = new WalSegments(fs, LogDirectory, SegmentSize, _ => { }, prepareInBackground: false);
        segments.OpenForWrite(0); // prepares 1 ahead
        segments.OpenForWrite(1); // prepares 2 ahead
        segments.Recycle(2); // 0 is kept as the spare, 1 deleted
        Assert.Equal([LogDirectory + WalSegments.NameOf(0)], SegmentFiles(fs).Take(1));

        var refused = RefuseRenames(fs);
        _ = Record.Exception(() => segments.OpenForWrite(2)); // prepares 3 ahead: renaming the spare into place fails
        Assert.NotEmpty(refused);
        Assert.Equal(SegmentFiles(fs).Count * (long)SegmentSize, segments.DiskBytes);

        fs.RenameFault = null;
        segments.Recycle(3);
        Assert.Single(SegmentFiles(fs), p => string.CompareOrdinal(p, LogDirectory + WalSegments.NameOf(3)) < 0);
        Assert.Equal(SegmentFiles(fs).Count * (long)SegmentSize, segments.DiskBytes);
    }

    private static DatabaseOptions Options(CapturingLogger logger)
    {
        var options = Quiet();
        options.Logger = logger;
        options.BackgroundWork = false; // segments prepared on the committing thread, checkpoints only when asked
        return options;
    }

    /// <summary>Fails every rename inside the log directory; returns the sources refused.</summary>
    private static List<string> RefuseRenames(SimulatedFileSystem fs)
    {
        var refused = new List<string>();
        fs.RenameFault = (source, _) =>
        {
            if (!source.StartsWith(LogDirectory, StringComparison.Ordinal))
            {
                return null;
            }

            lock (refused)
            {
                refused.Add(source);
            }

            return new IOException("injected: input/output error");
        };
        return refused;
    }

    /// <summary>Commits until four more segments are written; returns the number of commits.</summary>
    private static int FillSegments(Database db, Keyspace ks, int round)
    {
        var stop = db.Wal!.WrittenLsn + (4L * SegmentSize);
        var commits = 0;
        for (var i = 0; db.Wal.WrittenLsn < stop; i++)
        {
            db.Write(tx => tx.Put(ks, Bytes($"r{round}-{i:D5}"), new byte[900]));
            commits++;
        }

        return commits;
    }

    private static long Count(Database db, Keyspace ks) => Count(db, ks.Name);

    private static long Count(Database db, string keyspace)
    {
        using var tx = db.BeginRead();
        return tx.Count(tx.GetKeyspace(keyspace));
    }

    private static List<string> SegmentFiles(SimulatedFileSystem fs) =>
        [.. fs.AllFiles().Where(p => p.StartsWith(LogDirectory, StringComparison.Ordinal) && p.EndsWith(WalSegments.Extension, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>The segment files wholly before the one being written: spares, after a checkpoint.</summary>
    private static List<string> SegmentsBelowCurrent(Database db, SimulatedFileSystem fs)
    {
        var current = LogDirectory + WalSegments.NameOf(db.Wal!.WrittenLsn / SegmentSize);
        return [.. SegmentFiles(fs).Where(p => string.CompareOrdinal(p, current) < 0)];
    }

    /// <summary>The log's disk size counts every segment file there is: none is left untracked.</summary>
    private static void AssertEverySegmentFileIsCounted(Database db, SimulatedFileSystem fs) =>
        Assert.Equal(SegmentFiles(fs).Count * (long)SegmentSize, db.GetStatistics().WalDiskBytes);
}
