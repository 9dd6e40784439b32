using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Wal;

/// <summary>
/// A checkpoint deletes the log segments it made obsolete (beyond the spare it keeps). A delete that failed turned the
/// whole database read-only, although nothing durable depends on the file going: now it is logged (event 14), the
/// segment stays listed, and the next checkpoint deletes it.
/// </summary>
public sealed class SegmentDeleteFailureTests
{
    private const string LogDirectory = "/sim/test.db-wal/";
    private const int SegmentSize = 64 << 10; // TestDatabases.Small's

    [Fact]
    public void An_obsolete_segment_that_cannot_be_deleted_is_logged_kept_and_deleted_by_the_next_checkpoint()
    {
        var fs = new SimulatedFileSystem();
        var logger = new CapturingLogger();
        var options = Quiet();
        options.Logger = logger;
        options.BackgroundWork = false; // checkpoints only when asked: none may recycle the segments before the fault is set
        using var db = Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var round = 0;
        void FillSegments()
        {
            var stop = db.Wal!.WrittenLsn + (4L * SegmentSize);
            for (var i = 0; db.Wal.WrittenLsn < stop; i++)
            {
                db.Write(tx => tx.Put(ks, Bytes($"r{round}-{i:D5}"), new byte[900]));
            }

            round++;
        }

        FillSegments();
        var refused = new List<string>();
        fs.DeleteFault = path =>
        {
            if (!path.StartsWith(LogDirectory, StringComparison.Ordinal))
            {
                return null;
            }

            refused.Add(path);
            return new UnauthorizedAccessException("injected: permission denied");
        };
        Assert.True(db.Checkpoint());

        Assert.NotEmpty(refused);
        Assert.False(db.IsReadOnly);
        Assert.True(logger.Has(14), "the failed delete was not logged");
        Assert.All(refused, path => Assert.Contains(path, fs.AllFiles()));
        var before = Count(db, ks);
        FillSegments(); // commits carry on
        Assert.True(Count(db, ks) > before);

        fs.DeleteFault = null;
        Assert.True(db.Checkpoint());

        // Deleted, but for the one a checkpoint keeps as a spare, to be renamed into place as a new segment.
        Assert.InRange(refused.Distinct().Count(fs.AllFiles().Contains), 0, 1);
        AssertConsistent(db);
    }

    private static long Count(Database db, Keyspace ks)
    {
        using var tx = db.BeginRead();
        return tx.Count(ks);
    }
}
