using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests;

public sealed class DatabaseTests
{
    [Fact]
    public void Committed_writes_are_read_back_and_survive_reopen()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs);
        using (var tx = db.BeginWrite())
        {
            var ks = tx.CreateKeyspace("fruit");
            tx.Put(ks, Bytes("apple"), Bytes("red"));
            tx.Put(ks, Bytes("banana"), Bytes("yellow"));
            tx.Commit();
        }

        using (var read = db.BeginRead())
        {
            var ks = read.GetKeyspace("fruit");
            Assert.Equal("red", Text(read.Get(ks, Bytes("apple"))));
            Assert.Null(read.Get(ks, Bytes("cherry")));
            Assert.Equal(2, read.Count(ks));
        }

        db = CloseCheckAndReopen(db, fs);
        using (var read = db.BeginRead())
        {
            var ks = read.GetKeyspace("fruit");
            Assert.Equal("yellow", Text(read.Get(ks, Bytes("banana"))));
        }

        db.Dispose();
    }

    [Fact]
    public void Disposing_a_write_transaction_rolls_it_back()
    {
        using var db = Database.OpenInMemory();
        db.Write(tx => tx.CreateKeyspace("k"));
        using (var tx = db.BeginWrite())
        {
            tx.Put(tx.GetKeyspace("k"), Bytes("a"), Bytes("1"));
            Assert.True(tx.ContainsKey(tx.GetKeyspace("k"), Bytes("a")));
        }

        using var read = db.BeginRead();
        Assert.False(read.ContainsKey(read.GetKeyspace("k"), Bytes("a")));
        AssertConsistent(db);
    }

    [Fact]
    public void Large_values_use_overflow_pages_and_survive_checkpoint_and_reopen()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs);
        var random = new Random(3);
        var values = Enumerable.Range(0, 20).Select(i => RandomBytes(random, i * 3000)).ToArray();
        db.Write(tx =>
        {
            var ks = tx.CreateKeyspace("blobs");
            for (var i = 0; i < values.Length; i++)
            {
                tx.Put(ks, [(byte)i], values[i]);
            }
        });
        db.Checkpoint();
        db.Write(tx => tx.Put(tx.GetKeyspace("blobs"), [5], values[19]));
        values[5] = values[19];
        db = CloseCheckAndReopen(db, fs);
        using (var read = db.BeginRead())
        {
            var ks = read.GetKeyspace("blobs");
            for (var i = 0; i < values.Length; i++)
            {
                Assert.Equal(values[i], read.Get(ks, [(byte)i]));
            }
        }

        db.Dispose();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
