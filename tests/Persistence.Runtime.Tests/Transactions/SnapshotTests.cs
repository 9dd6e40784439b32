using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

public sealed class SnapshotTests
{
    [Fact]
    public async Task A_readers_view_does_not_change_while_writers_commit()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        db.Write(tx =>
        {
            var ks = tx.CreateKeyspace("k");
            for (var i = 0; i < 500; i++)
            {
                tx.Put(ks, BitConverter.GetBytes(i), BitConverter.GetBytes(0));
            }
        });
        using var reader = db.BeginRead();
        var ks = reader.GetKeyspace("k");
        var before = reader.Scan(ks).Select(p => Convert.ToHexString(p.Key) + Convert.ToHexString(p.Value)).ToList();
        var writer = BlockingWork.Run(() =>
        {
            for (var round = 1; round <= 200; round++)
            {
                db.Write(tx =>
                {
                    var k = tx.GetKeyspace("k");
                    for (var i = 0; i < 500; i += 7)
                    {
                        tx.Put(k, BitConverter.GetBytes(i), BitConverter.GetBytes(round));
                    }

                    tx.Delete(k, BitConverter.GetBytes(round));
                });
                if (round % 50 == 0)
                {
                    db.Checkpoint();
                }
            }
        });
        while (!writer.IsCompleted)
        {
            Assert.Equal(before, reader.Scan(ks).Select(p => Convert.ToHexString(p.Key) + Convert.ToHexString(p.Value)));
        }

        await writer;
        Assert.Equal(before, reader.Scan(ks).Select(p => Convert.ToHexString(p.Key) + Convert.ToHexString(p.Value)));
        AssertConsistent(db);
    }

    [Fact]
    public void Rolled_back_and_conflicting_writes_are_never_visible()
    {
        using var db = Database.OpenInMemory();
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        using (var tx = db.BeginWrite())
        {
            tx.Put(ks, Bytes("rolled back"), Bytes("x"));
            tx.Rollback();
        }

        var loser = db.BeginWrite();
        loser.Put(ks, Bytes("contested"), Bytes("loser"));
        loser.Put(ks, Bytes("only the loser wrote this"), Bytes("x"));
        db.Write(tx => tx.Put(ks, Bytes("contested"), Bytes("winner")));
        Assert.Throws<WriteConflictException>(loser.Commit);
        loser.Dispose();
        using var read = db.BeginRead();
        Assert.False(read.ContainsKey(ks, Bytes("rolled back")));
        Assert.False(read.ContainsKey(ks, Bytes("only the loser wrote this")));
        Assert.Equal("winner", Text(read.Get(ks, Bytes("contested"))));
    }

    [Theory]
    [InlineData(CrashMode.DropUnsynced)]
    [InlineData(CrashMode.KeepAll)]
    public void Reopen_after_clean_close_and_after_crash_shows_exactly_the_acknowledged_commits(CrashMode mode)
    {
        // Large thresholds: only the explicit checkpoint runs, so exactly the 30 later commits need replaying.
        var fs = new SimulatedFileSystem();
        var options = Small(new FakeTimeProvider());
        options.PageCacheBytes = 64L << 20;
        var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        for (var i = 0; i < 50; i++)
        {
            db.Write(tx => tx.Put(ks, BitConverter.GetBytes(i), BitConverter.GetBytes(i * i)));
        }

        db.Checkpoint();
        for (var i = 50; i < 80; i++)
        {
            db.Write(tx => tx.Put(ks, BitConverter.GetBytes(i), BitConverter.GetBytes(i * i)));
        }

        var uncommitted = db.BeginWrite();
        uncommitted.Put(ks, Bytes("never committed"), Bytes("x"));

        // Crash: no dispose, no final checkpoint; the image keeps what the mode says of unsynced writes.
        var image = fs.AfterCrash(mode, new Random(1));
        using (var recovered = TestDatabases.Open(image, options))
        {
            Assert.Equal(30, recovered.Recovered!.Commits);
            AssertContents(recovered, 80);
            AssertConsistent(recovered);
        }

        uncommitted.Dispose();
        db.Dispose();
        using var reopened = TestDatabases.Open(fs, options);
        Assert.Equal(0, reopened.Recovered!.Commits);
        AssertContents(reopened, 80);
        AssertConsistent(reopened);
    }

    private static void AssertContents(Database db, int count)
    {
        using var read = db.BeginRead();
        var ks = read.GetKeyspace("k");
        Assert.Equal(count, read.Count(ks));
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(BitConverter.GetBytes(i * i), read.Get(ks, BitConverter.GetBytes(i)));
        }

        Assert.False(read.ContainsKey(ks, Bytes("never committed")));
    }
}
