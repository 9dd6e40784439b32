using Persistence.Testing;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>
/// A write that fails part-way (a page read fails while the change is under way) leaves the transaction failed: it
/// cannot commit, so neither a half-done change nor the list of what that change replaced (whose page buffers would be
/// recycled while still in use) ever reaches a version. The database itself stays writable and whole.
/// </summary>
public sealed class FailedWriteTests
{
    private const int Keys = 20_000;

    [Fact]
    public void A_put_whose_page_read_fails_fails_the_transaction_and_nothing_of_it_is_committed()
    {
        var (fs, db, ks) = Open();
        using (db)
        {
            db.Write(tx => tx.Put(ks, Key(0), Value(0, 1))); // the visible root is now an unwritten copy
            var failedAt = -1;
            using (var tx = db.BeginWrite())
            {
                tx.CreateKeyspace("other"); // promotes the transaction to its own tree without copying a node
                for (var attempt = 0; attempt < 200 && failedAt < 0; attempt++)
                {
                    var i = ((attempt * 7919) + 5000) % Keys;
                    fs.ReadFault = path => path.EndsWith(".db", StringComparison.Ordinal) ? new IOException("injected read error") : null;
                    try
                    {
                        tx.Put(ks, Key(i), Value(i, 2));
                    }
                    catch (StorageException)
                    {
                        failedAt = i;
                    }
                    finally
                    {
                        fs.ReadFault = null;
                    }
                }

                Assert.True(failedAt >= 0, "no put needed a page read");
                var commit = Assert.Throws<TransactionStateException>(tx.Commit);
                Assert.Equal(ErrorCode.TransactionFailed, commit.Code);
                Assert.IsType<StorageException>(commit.InnerException);
                Assert.Equal(ErrorCode.TransactionFailed, Assert.Throws<TransactionStateException>(() => tx.TryGet(ks, Key(1), out _)).Code);
                Assert.Equal(ErrorCode.TransactionFailed, Assert.Throws<TransactionStateException>(() => tx.Put(ks, Key(1), [1])).Code);
            }

            Assert.False(db.IsReadOnly);
            AssertWhole(db, ks, expectedRound: i => i == 0 ? 1 : 0);

            // Many commits afterwards recycle page buffers: none of them may be one the tree still uses.
            var other = db.Write(tx => tx.GetOrCreateKeyspace("other"));
            for (var round = 0; round < 20; round++)
            {
                db.Write(tx =>
                {
                    for (var n = 0; n < 50; n++)
                    {
                        tx.Put(other, Key((round * 50) + n), Value((round * 50) + n, 9));
                    }
                });
            }

            AssertWhole(db, ks, expectedRound: i => i == 0 ? 1 : 0);
            using var reopened = CloseCheckAndReopen(db, fs, Options());
            AssertWhole(reopened, reopened.Write(tx => tx.GetKeyspace("k")), expectedRound: i => i == 0 ? 1 : 0);
        }
    }

    [Fact]
    public void A_promotion_that_fails_part_way_fails_the_transaction()
    {
        var (fs, db, ks) = Open();
        using (db)
        {
            using (var tx = db.BeginWrite())
            {
                for (var n = 1; n <= 128; n++)
                {
                    Assert.True(tx.Delete(ks, Key(n * 150)));
                }

                fs.ReadFault = path => path.EndsWith(".db", StringComparison.Ordinal) ? new IOException("injected read error") : null;
                try
                {
                    // The 129th write promotes the transaction, which replays the 128 deletions into its own tree and reads pages.
                    Assert.Throws<StorageException>(() => tx.Delete(ks, Key((128 * 150) + 1)));
                }
                finally
                {
                    fs.ReadFault = null;
                }

                Assert.Equal(ErrorCode.TransactionFailed, Assert.Throws<TransactionStateException>(tx.Commit).Code);
            }

            AssertWhole(db, ks, expectedRound: _ => 0);
            db.Write(tx => Assert.True(tx.Delete(ks, Key(150)))); // the database goes on
            using var read = db.BeginRead();
            Assert.Equal(Keys - 1, read.Count(ks));
        }
    }

    [Fact]
    public void A_failed_transaction_can_be_rolled_back_and_releases_its_snapshot()
    {
        var (fs, db, ks) = Open();
        using (db)
        {
            var tx = db.BeginWrite();
            tx.CreateKeyspace("other");
            fs.ReadFault = _ => new IOException("injected read error");
            var failed = false;
            try
            {
                for (var i = 0; i < Keys; i += 997)
                {
                    tx.Put(ks, Key(i), Value(i, 3));
                }
            }
            catch (StorageException)
            {
                failed = true;
            }
            finally
            {
                fs.ReadFault = null;
            }

            Assert.True(failed, "no put needed a page read");
            tx.Rollback();
            Assert.Throws<TransactionStateException>(tx.Rollback);
            tx.Dispose();
            Assert.Equal(0, db.Sequencer.ActiveWriters);
            AssertWhole(db, ks, expectedRound: _ => 0);
        }
    }

    private static DatabaseOptions Options()
    {
        var options = Small();
        options.DefaultDurability = Durability.Buffered;
        return options;
    }

    private static (SimulatedFileSystem Fs, Database Db, Keyspace Ks) Open()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, Options());
        var ks = db.Write(tx =>
        {
            var k = tx.CreateKeyspace("k");
            for (var i = 0; i < Keys; i++)
            {
                tx.Put(k, Key(i), Value(i, 0));
            }

            return k;
        });
        db.Checkpoint(); // pages on disk, so that later writes must read some of them
        return (fs, db, ks);
    }

    private static void AssertWhole(Database db, Keyspace ks, Func<int, int> expectedRound)
    {
        using var read = db.BeginRead();
        var count = 0;
        foreach (var (key, value) in read.Scan(ks))
        {
            var i = KeyOf(key);
            Assert.Equal(expectedRound(i), Round(i, value));
            count++;
        }

        Assert.Equal(Keys, count);
        AssertConsistent(db);
    }
}
