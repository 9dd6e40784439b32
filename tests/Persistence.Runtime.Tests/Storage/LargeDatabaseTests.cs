using System.Buffers.Binary;
using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Storage;

public sealed class LargeDatabaseTests
{
    [Fact]
    public void A_database_many_times_larger_than_the_page_cache_reads_back_correctly()
    {
        using var dir = new TempDirectory();
        var options = new DatabaseOptions { PageSize = 4096, PageCacheBytes = 64 * 4096, CheckpointWalBytes = 1 << 20 };
        const int count = 60_000;
        var db = Database.Open(dir.File(), options);
        for (var batch = 0; batch < count; batch += 5000)
        {
            db.Write(tx =>
            {
                var ks = tx.GetOrCreateKeyspace("data");
                for (var i = batch; i < batch + 5000; i++)
                {
                    tx.Put(ks, Key(i), Value(i));
                }
            });
        }

        db.Checkpoint();
        var stats = db.GetStatistics();
        Assert.True(stats.FileBytes > 10 * options.PageCacheBytes, $"the file is only {stats.FileBytes} bytes");
        Assert.True(stats.CachedPages <= stats.CacheCapacityPages);
        Verify(db, count);
        db.Dispose();

        db = Database.Open(dir.File(), options);
        Verify(db, count);
        Assert.True(db.GetStatistics().CachedPages <= 64);
        AssertConsistent(db);
        db.Dispose();
    }

    private static void Verify(Database db, int count)
    {
        using var read = db.BeginRead();
        var ks = read.GetKeyspace("data");
        Assert.Equal(count, read.Count(ks));
        var random = new Random(7);
        for (var n = 0; n < 5000; n++)
        {
            var i = random.Next(count);
            Assert.Equal(Value(i), read.Get(ks, Key(i)));
        }

        var expected = 0;
        foreach (var (key, value) in read.Scan(ks))
        {
            Assert.Equal(expected, BinaryPrimitives.ReadInt32BigEndian(key));
            Assert.Equal(Value(expected), value);
            expected++;
        }

        Assert.Equal(count, expected);
    }

    private static byte[] Key(int i)
    {
        var key = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(key, i);
        return key;
    }

    private static byte[] Value(int i)
    {
        var value = new byte[100 + (i % 50)];
        new Random(i).NextBytes(value);
        return value;
    }
}
