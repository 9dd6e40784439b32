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
