using Persistence.Testing;

namespace Persistence.Tests.Storage;

/// <summary>
/// A checkpoint's sync of the data file fails, and the operating system later evicts the pages whose write-back failed.
/// The database is read-only and keeps serving reads: a page read again from the file then holds what the disk held, an
/// older page with the same number, a valid checksum and an older generation. It must be refused, never returned.
/// </summary>
public sealed class LostPageWriteTests
{
    private const string DataFile = "/sim/test.db";
    private const int Keys = 20_000; // about 600 leaves: far more than the 256-page cache holds

    [Fact]
    public void A_page_whose_write_a_failed_sync_lost_is_refused_when_it_is_read_again()
    {
        var fs = new SimulatedFileSystem();
        using var db = OpenWithTwoRounds(fs);
        db.Write(tx => PutAll(tx, 2));
        fs.Fault = point => point is { Kind: FaultKind.Flush, Path: DataFile } ? new IOException("injected fsync failure") : null;
        Assert.ThrowsAny<PersistenceException>(() => db.Checkpoint());
        Assert.True(db.IsReadOnly);
        fs.EvictLost(DataFile);

        var (stale, refused) = ReadBack(db, 2);

        Assert.True(stale == 0, $"{stale} of {Keys} keys read from pages the failed sync lost returned an older page's contents");
        Assert.True(refused > 0, "no read reached a page the failed sync lost: the test did not test what it meant to");
    }

    [Fact]
    public void A_spilled_page_whose_write_back_failed_is_refused_before_any_sync_reports_it()
    {
        // The operating system writes dirty pages back on its own: when that fails it marks them clean and says so only
        // to the next fdatasync. A large transaction's leaves, written ahead of the checkpoint, can be evicted and read
        // again before that sync runs: the read must not return the older page the disk holds there.
        var fs = new SimulatedFileSystem();
        using var db = OpenWithTwoRounds(fs);
        var spilledBefore = db.Checkpointer!.PagesSpilled;
        db.Write(tx => PutAll(tx, 2)); // larger than the cache: most of its leaves are spilled over the first round's pages
        Assert.True(db.Checkpointer.PagesSpilled > spilledBefore, "the transaction spilled no leaf: the test did not test what it meant to");
        fs.FailWriteback(DataFile);
        fs.EvictLost(DataFile);

        var (stale, refused) = ReadBack(db, 2);

        Assert.True(stale == 0, $"{stale} of {Keys} keys read from spilled pages whose write-back failed returned an older page's contents");
        Assert.True(refused > 0, "no read reached a spilled page whose write-back failed: the test did not test what it meant to");
        Assert.True(db.IsReadOnly);
    }

    /// <summary>
    /// Opens a database that wrote every key in two rounds, each checkpointed: every leaf anew each round, so the second
    /// checkpoint freed the pages of the first, which the next writes reuse (over pages that hold valid older leaves).
    /// </summary>
    private static Database OpenWithTwoRounds(SimulatedFileSystem fs)
    {
        var db = TestDatabases.Open(fs, TestDatabases.Quiet());
        for (byte round = 0; round < 2; round++)
        {
            db.Write(tx => PutAll(tx, round));
            db.Checkpoint();
        }

        return db;
    }

    private static (int Stale, int Refused) ReadBack(Database db, byte round)
    {
        using var read = db.BeginRead();
        var keyspace = read.GetKeyspace("k");
        var stale = 0;
        var refused = 0;
        for (var k = 0; k < Keys; k++)
        {
            try
            {
                if (!read.TryGet(keyspace, BitConverter.GetBytes(k), out var got) || got[0] != round)
                {
                    stale++;
                }
            }
            catch (CorruptionException error)
            {
                Assert.Equal(ErrorCode.Corruption, error.Code);
                refused++;
            }
        }

        return (stale, refused);
    }

    private static void PutAll(WriteTransaction tx, byte round)
    {
        var keyspace = tx.GetOrCreateKeyspace("k");
        for (var k = 0; k < Keys; k++)
        {
            var value = new byte[100];
            value[0] = round;
            tx.Put(keyspace, BitConverter.GetBytes(k), value);
        }
    }
}
