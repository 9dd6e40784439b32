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
            AssertEveryRound(db, ks, Keys, expectedRound: i => i == 0 ? 1 : 0);

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

            AssertEveryRound(db, ks, Keys, expectedRound: i => i == 0 ? 1 : 0);
            using var reopened = CloseCheckAndReopen(db, fs, Options());
            AssertEveryRound(reopened, reopened.Write(tx => tx.GetKeyspace("k")), Keys, expectedRound: i => i == 0 ? 1 : 0);
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

            AssertEveryRound(db, ks, Keys, expectedRound: _ => 0);
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
            AssertEveryRound(db, ks, Keys, expectedRound: _ => 0);
        }
    }

    /// <summary>
    /// A commit joining an unclaimed WAL batch replays its writes on the previous commit's new nodes in place. If that
    /// replay fails part-way (a page read fails), those nodes hold part of a commit that failed: the database turns
    /// read-only, and the queued commit that owned them fails too instead of being written and published. Readers
    /// never see a byte of the failed commit; reopening recovers everything acknowledged.
    /// </summary>
    [Fact]
    public async Task A_replay_that_fails_in_place_fails_the_unclaimed_batch_and_publishes_none_of_it()
    {
        var (fs, db, ks) = await FailReplayInPlace(Durability.Durable, FaultKind.Flush, TimeProvider.System);
        using (var read = db.BeginRead())
        {
            Assert.True(read.TryGet(ks, Key(10), out var value) && Round(10, value) == 1);
            Assert.True(read.TryGet(ks, Key(11), out value) && Round(11, value) == 0);
            Assert.True(read.TryGet(ks, Key(12), out value) && Round(12, value) == 0, "a write of the failed commit is visible");
        }

        // The queued commit that failed with it was given log space and gave it back: the log counted since the
        // checkpoint is what was written.
        var wal = db.Wal!;
        Assert.Equal(wal.WrittenLsn, wal.NextLsn);
        Assert.Equal(wal.WrittenLsn - db.Checkpointer!.Durable.WalStartLsn, db.GetStatistics().WalBytesSinceCheckpoint);

        using var reopened = CloseCheckAndReopen(db, fs, Options());
        Assert.False(reopened.IsReadOnly);
        AssertEveryRound(reopened, reopened.Write(tx => tx.GetKeyspace("k")), Keys, expectedRound: i => i == 10 ? 1 : 0);
    }

    /// <summary>
    /// The log itself is sound after such a failure, so a buffered commit acknowledged before it still becomes durable:
    /// here at the close (the flush timer's clock is stopped), which a power failure right after then cannot undo.
    /// </summary>
    [Fact]
    public async Task After_a_replay_fails_in_place_buffered_commits_still_become_durable_at_the_close()
    {
        var (fs, db, _) = await FailReplayInPlace(Durability.Buffered, FaultKind.Write, new FakeTimeProvider());
        Assert.True(db.Wal!.WrittenLsn > db.Wal.DurableLsn, "the buffered commit was synced before the close: the test shows nothing");
        db.Dispose();

        using var reopened = TestDatabases.Open(fs.AfterCrash(CrashMode.DropUnsynced, new Random(1)), Options());
        AssertEveryRound(reopened, reopened.Write(tx => tx.GetKeyspace("k")), Keys, expectedRound: i => i == 10 ? 1 : 0);
    }

    /// <summary>
    /// Holds the WAL leader in the first commit's <paramref name="held"/> operation, queues a second commit behind it,
    /// and fails a third while it replays on the second's nodes in place. Returns once the first commit is acknowledged
    /// and the second has failed.
    /// </summary>
    private static async Task<(SimulatedFileSystem Fs, Database Db, Keyspace Ks)> FailReplayInPlace(Durability firstDurability, FaultKind held, TimeProvider time)
    {
        var (fs, db, _) = Open();
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var hold = 0;
        fs.Fault = point =>
        {
            if (point.Kind == held && point.Path.EndsWith(".wal", StringComparison.Ordinal) && Interlocked.CompareExchange(ref hold, 2, 1) == 1)
            {
                holding.Set();
                release.Wait();
            }

            return null;
        };

        db = CloseCheckAndReopen(db, fs, Options(time)); // nothing in memory: the commits below read the pages they need
        var ks = db.Write(tx => tx.GetKeyspace("k"));
        var farKey = Keys / 2;
        Task first = Task.CompletedTask, queued = Task.CompletedTask;
        try
        {
            Volatile.Write(ref hold, 1);
            first = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Key(10), Value(10, 1)), durability: firstDurability));
            Assert.True(holding.Wait(TimeSpan.FromSeconds(60)), "the first commit never reached the held operation"); // a bound on a busy machine, not a timing
            var commits = db.GetStatistics().Commits;
            queued = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Key(11), Value(11, 1)), durability: Durability.Durable));
            while (db.GetStatistics().Commits == commits)
            {
                await Task.Delay(1);
            }

            // The queued commit is unclaimed behind the held one, so this one replays on its nodes in place: first a
            // key in the leaf it just changed, then a key whose leaf must be read, and that read fails.
            using (var tx = db.BeginWrite(Durability.Durable))
            {
                tx.Put(ks, Key(12), Value(12, 7));
                tx.Put(ks, Key(farKey), Value(farKey, 7)); // reads its leaf (into the cache) to count an insert or a replace
                using (var read = db.BeginRead())
                {
                    // Cycle the small page cache with other leaves, so that replaying the write above must read its leaf again.
                    Assert.Equal(Keys - farKey - 1000, read.Scan(ks, KeyRange.From(Key(farKey + 1000))).Count());
                }

                fs.ReadFault = path => path.EndsWith(".db", StringComparison.Ordinal) ? new IOException("injected read error") : null;
                try
                {
                    var commit = BlockingWork.Run(tx.Commit);
                    Assert.True(((IAsyncResult)commit).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)), "the commit read no page: it waits for the held commit");
                    await Assert.ThrowsAsync<StorageException>(() => commit);
                }
                finally
                {
                    fs.ReadFault = null;
                }
            }

            Assert.True(db.IsReadOnly);
        }
        finally
        {
            release.Set();
        }

        await first; // its batch was claimed before the failure: written and published
        var failed = await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => queued);
        Assert.IsType<StorageException>(failed.InnerException);
        return (fs, db, ks);
    }

    private static DatabaseOptions Options(TimeProvider? time = null)
    {
        var options = Small(time);
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
}
