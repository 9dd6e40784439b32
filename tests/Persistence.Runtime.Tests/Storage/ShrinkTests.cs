using System.Buffers.Binary;
using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Storage;

public sealed class ShrinkTests
{
    [Fact]
    public void Shrinking_after_deleting_most_data_returns_space_and_keeps_the_rest()
    {
        var fs = new SimulatedFileSystem();
        var options = Small();
        options.PageCacheBytes = 1L << 20;
        var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        for (var batch = 0; batch < 10; batch++)
        {
            db.Write(tx =>
            {
                for (var i = batch * 1000; i < (batch + 1) * 1000; i++)
                {
                    tx.Put(ks, Key(i), i % 100 is 5 or 50 ? new byte[9000] : Value(i));
                }
            });
        }

        db.Checkpoint();
        var full = db.GetStatistics().FileBytes;
        var reader = db.BeginRead(); // a snapshot from before the deletes: the shrink must not disturb it
        db.Write(tx =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                if (i % 10 != 0)
                {
                    tx.Delete(ks, Key(i));
                }
            }
        });

        var shrunk = db.Shrink();
        Assert.Equal(10_000, reader.Count(ks));
        Assert.Equal(10_000, reader.Scan(ks).Count());
        reader.Dispose();
        shrunk += db.Shrink();
        var after = db.GetStatistics().FileBytes;
        var statistics = db.GetStatistics();
        var usedPages = statistics.FilePages - statistics.ReusablePages;
        var afterPages = after / options.PageSize;

        // One small value in ten and half the large ones remain: about half the pages. The file keeps little more.
        Assert.True(shrunk > 0 && afterPages <= usedPages + (usedPages / 8) + 16 && after < full * 0.6,
            $"file went from {full} to {after} bytes (shrunk {shrunk}) for {usedPages} pages in use");
        Assert.Equal(after, fs.ReadAllBytes("/sim/test.db").Length);
        Verify(db);

        db = CloseCheckAndReopen(db, fs, options);
        Verify(db);
        db.Write(tx => tx.Put(tx.GetKeyspace("k"), Key(123_456), Value(1))); // and it still grows again
        AssertConsistent(db);
        db.Dispose();
    }

    [Fact]
    public async Task Truncating_never_cuts_a_page_that_an_older_snapshot_still_reads()
    {
        var fs = new SimulatedFileSystem();
        var options = Small();
        options.PageCacheBytes = 16 * 4096; // the reader's scan loads its pages from the file
        var db = TestDatabases.Open(fs, options);

        // With so small a cache a few dirty pages make a checkpoint due: a background one could run before the
        // truncation below and take the reader's pages out of the bitmap first (then nothing is cut at all). Only the
        // checkpoints this test asks for run.
        await db.Checkpointer!.Stop();
        var (pad, ks) = db.Write(tx => (tx.CreateKeyspace("pad"), tx.CreateKeyspace("k")));
        db.Write(tx => PutAll(tx, pad, round: 0, rows: 3 * Rows)); // room below k's pages for all of k's new ones
        db.Checkpoint();
        db.Write(tx => PutAll(tx, ks, round: 0));
        db.Checkpoint();
        db.Write(tx => tx.DeleteKeyspace(pad));
        db.Checkpoint();
        db.Checkpoint(); // pad's pages, low in the file, are reusable now; k's lie above them

        var reader = db.BeginRead();
        db.Write(tx => PutAll(tx, ks, round: 1)); // frees every page of k the reader reads

        // A truncation right after that commit: its forced checkpoint writes k's new pages into pad's old ones, and its
        // bitmap no longer counts the reader's pages as used. They must stay in the file until the reader ends.
        var before = fs.ReadAllBytes("/sim/test.db").Length;
        db.Checkpointer!.TryTruncate();
        var after = fs.ReadAllBytes("/sim/test.db").Length;
        AssertReads(reader); // the old cut failed here: "the file ends inside the page"

        // The test reaches the fault (the forced checkpoint's page count lies below the reader's pages), and the free
        // tail above them is still cut.
        Assert.True(db.Checkpointer.Durable.PageCount * options.PageSize < after, $"{db.Checkpointer.Durable.PageCount} pages, {after} bytes");
        Assert.True(after < before, $"{before} bytes before, {after} after");
        var statistics = db.GetStatistics();
        Assert.True(statistics.FileBytes <= statistics.FilePages * options.PageSize);

        // The file grows again past the cut while the reader is still open: its pages must not become holes.
        db.Write(tx => PutAll(tx, tx.CreateKeyspace("more"), round: 2));
        db.Checkpoint();
        AssertReads(reader);
        reader.Dispose();

        Assert.True(db.Shrink() > 0, "the file should shrink once the reader has ended");
        db = CloseCheckAndReopen(db, fs, options);
        using (var read = db.BeginRead())
        {
            var k = read.GetKeyspace("k");
            for (var i = 0; i < Rows; i++)
            {
                Assert.Equal(Sized(i, round: 1), read.Get(k, Key(i)));
            }
        }

        db.Dispose();

        void AssertReads(ReadTransaction reader)
        {
            Assert.Equal(Rows, reader.Count(ks));
            var i = 0;
            foreach (var (key, value) in reader.Scan(ks))
            {
                Assert.Equal(Key(i), key);
                Assert.Equal(Sized(i, round: 0), value);
                i++;
            }

            Assert.Equal(Rows, i);
        }

        static void PutAll(WriteTransaction tx, Keyspace keyspace, int round, int rows = Rows)
        {
            for (var i = 0; i < rows; i++)
            {
                tx.Put(keyspace, Key(i), Sized(i, round));
            }
        }
    }

    private const int Rows = 3000;

    private static byte[] Sized(int i, int round)
    {
        var value = new byte[100];
        BinaryPrimitives.WriteInt32LittleEndian(value, i);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(4), round);
        return value;
    }

    private static void Verify(Database db)
    {
        using var read = db.BeginRead();
        var ks = read.GetKeyspace("k");
        Assert.Equal(1000, read.Count(ks));
        for (var i = 0; i < 10_000; i += 10)
        {
            Assert.Equal(i % 100 == 50 ? new byte[9000] : Value(i), read.Get(ks, Key(i)));
        }
    }

    private static byte[] Key(int i)
    {
        var key = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(key, i);
        return key;
    }

    private static byte[] Value(int i) => BitConverter.GetBytes((long)i * 31);
}
