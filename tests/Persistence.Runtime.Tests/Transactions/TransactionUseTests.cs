using Persistence.Testing;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>
/// A write transaction used by two threads at once (a review's repro: <c>Parallel.For</c> over one transaction)
/// corrupted its private tree and overlay, and its commit published the damage. Now a call that begins while another
/// thread is inside one is refused with <see cref="ErrorCode.TransactionInUse"/>, does nothing, and fails the
/// transaction; disposal waits for the call inside. Each overlap here is forced: the thread inside is held at a read of
/// the data file (<see cref="HeldRead"/>) or in a write observer of its commit, not left to timing.
/// </summary>
public sealed class TransactionUseTests
{
    private const string DataFile = "/sim/use.db";
    private const int Keys = 5000;

    /// <summary>5,000 checked values in 4 KiB pages, against a 64-page cache: a put after the reopen reads the data file.</summary>
    private static readonly Lazy<SimulatedFileSystem> Image = new(() =>
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, path: DataFile);
        db.Write(tx =>
        {
            var k = tx.CreateKeyspace("k");
            for (var i = 0; i < Keys; i++)
            {
                tx.Put(k, Key(i), Value(i, 0));
            }
        });
        return fs;
    });

    [Fact]
    public async Task A_call_while_another_thread_is_inside_a_put_is_refused_does_nothing_and_fails_the_transaction()
    {
        var (fs, db, ks) = OpenCopy();
        using (db)
        {
            using var hold = new HeldRead(fs, DataFile);
            var tx = db.BeginWrite();
            var cursor = tx.OpenCursor(ks);
            Assert.True(cursor.First());
            var released = false;
            var inside = Dedicated(() => PutUntilReleased(tx, ks, hold, () => Volatile.Read(ref released)));
            hold.WaitUntilHeld(inside);

            // Every kind of call, writes, reads, cursors, keyspaces and the ends of the transaction, is refused.
            AssertInUse(() => tx.Put(ks, Key(1), Value(1, 2)));
            AssertInUse(() => tx.Delete(ks, Key(2)));
            AssertInUse(() => tx.TryGet(ks, Key(3), out _));
            AssertInUse(() => tx.Count(ks));
            AssertInUse(() => tx.OpenCursor(ks));
            AssertInUse(() => cursor.Next());
            AssertInUse(() => tx.CreateKeyspace("other"));
            AssertInUse(tx.Commit);
            AssertInUse(tx.Rollback);

            Volatile.Write(ref released, true);
            hold.Release();
            await inside; // the put inside finishes: it had begun before the refusals

            var commit = Assert.Throws<TransactionStateException>(tx.Commit);
            Assert.Equal(ErrorCode.TransactionFailed, commit.Code);
            Assert.Equal(ErrorCode.TransactionInUse, Assert.IsType<TransactionStateException>(commit.InnerException).Code);
            Assert.Equal(ErrorCode.TransactionFailed, Assert.Throws<TransactionStateException>(() => tx.Get(ks, Key(1))).Code);
            tx.Dispose();
            Assert.Equal(0, db.Sequencer.ActiveWriters);

            AssertRoundsBeforeAndAfterReopen(db, fs, ks, _ => 0);
        }
    }

    /// <summary>
    /// Disposal is never refused (a <c>using</c> must not throw over the caller's exception), but it used to release the
    /// snapshot and the private tree at once, under a put still inside: it now waits for that put to end.
    /// </summary>
    [Fact]
    public async Task Disposal_while_another_thread_is_inside_a_put_waits_for_it_then_releases_the_transaction()
    {
        var (fs, db, ks) = OpenCopy();
        using (db)
        {
            using var hold = new HeldRead(fs, DataFile);
            var tx = db.BeginWrite();
            var released = false;
            var inside = Dedicated(() => PutUntilReleased(tx, ks, hold, () => Volatile.Read(ref released)));
            hold.WaitUntilHeld(inside);

            var disposing = Dedicated(tx.Dispose);
            await Task.WhenAny(disposing, Task.Delay(300));
            Assert.False(disposing.IsCompleted, "the disposal released the transaction under the put inside it");
            Assert.Equal(1, db.Sequencer.ActiveWriters);

            Volatile.Write(ref released, true);
            hold.Release();
            await disposing.WaitAsync(TimeSpan.FromSeconds(60));
            await inside;
            Assert.Equal(0, db.Sequencer.ActiveWriters);
            Assert.Equal(ErrorCode.TransactionCompleted, Assert.Throws<TransactionStateException>(() => tx.Put(ks, Key(1), [1])).Code);

            AssertRoundsBeforeAndAfterReopen(db, fs, ks, _ => 0);
        }
    }

    /// <summary>
    /// A call refused while the transaction's commit is being sequenced changes nothing of it: the commit holds exactly
    /// the writes of the calls that returned before it.
    /// </summary>
    [Fact]
    public async Task A_call_refused_during_the_commit_leaves_the_commit_exactly_the_writes_that_returned()
    {
        var (fs, db, ks) = OpenCopy();
        using (db)
        {
            using var observed = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var tx = db.BeginWrite();
            var committer = 0;
            db.ObserveWrites(ks, (_, _) =>
            {
                if (Environment.CurrentManagedThreadId == Volatile.Read(ref committer))
                {
                    observed.Set();
                    release.Wait(); // inside the commit, under its in-use guard
                }
            });

            tx.Put(ks, Key(10), Value(10, 1));
            var commit = Dedicated(() =>
            {
                Volatile.Write(ref committer, Environment.CurrentManagedThreadId);
                tx.Commit();
            });
            try
            {
                Assert.True(observed.Wait(TimeSpan.FromSeconds(60)) || commit.IsCompleted, "the commit never reached its observer");
                AssertInUse(() => tx.Put(ks, Key(11), Value(11, 1)));
                AssertInUse(() => tx.Delete(ks, Key(10)));
            }
            finally
            {
                release.Set(); // else the commit holds the sequencer's lock, and the database's disposal waits for it
            }

            await commit;

            AssertRoundsBeforeAndAfterReopen(db, fs, ks, i => i == 10 ? 1 : 0);
        }
    }

    /// <summary>
    /// A transaction is not bound to a thread: calls made in turn from different threads (as continuations of
    /// <c>await</c> are), each after the last returned, all succeed, a cursor moves on whichever thread, and the commit
    /// holds every write.
    /// </summary>
    [Fact]
    public async Task Calls_in_turn_from_different_threads_are_not_refused()
    {
        var (fs, db, ks) = OpenCopy();
        using (db)
        {
            using (var tx = db.BeginWrite())
            {
                for (var i = 0; i < 300; i += 2)
                {
                    var n = i;
                    await Dedicated(() => tx.Put(ks, Key(n), Value(n, 1))); // past 128 keys the transaction promotes
                    tx.Put(ks, Key(n + 1), Value(n + 1, 1));
                }

                var cursor = await Dedicated(() => tx.OpenCursor(ks, KeyRange.From(Key(100))));
                Assert.True(await Dedicated(cursor.First));
                Assert.True(await Dedicated(cursor.Next));
                Assert.Equal(101, await Dedicated(() => KeyOf(cursor.Key)));
                Assert.Equal(1, Round(5, await Dedicated(() => tx.Get(ks, Key(5)))));
                await Dedicated(() => tx.CommitAsync().AsTask()).Unwrap();
            }

            AssertRoundsBeforeAndAfterReopen(db, fs, ks, i => i < 300 ? 1 : 0);
        }
    }

    /// <summary>
    /// Read transactions take no guard: their reads change nothing of the transaction, so several threads may read one
    /// at once (here while commits change every key, so that its pages are not the latest), and all see its snapshot.
    /// </summary>
    [Fact]
    public async Task Several_threads_may_read_one_read_transaction_at_once()
    {
        var (_, db, ks) = OpenCopy();
        using (db)
        {
            using var read = db.BeginRead();
            var stop = StopAfter(TimeSpan.FromMilliseconds(500));
            var writer = Dedicated(() =>
            {
                for (var round = 1; !stop(); round++)
                {
                    db.Write(tx =>
                    {
                        for (var i = round % 7; i < Keys; i += 7)
                        {
                            tx.Put(ks, Key(i), Value(i, round));
                        }
                    });
                }
            });
            var readers = Enumerable.Range(0, 3).Select(r => Dedicated(() =>
            {
                do
                {
                    var seen = 0;
                    foreach (var (key, value) in read.Scan(ks, reverse: r == 1))
                    {
                        Assert.Equal(0, Round(KeyOf(key), value));
                        seen++;
                    }

                    Assert.Equal(Keys, seen);
                    for (var i = r; i < Keys; i += 97)
                    {
                        Assert.True(read.TryGet(ks, Key(i), out var value) && Round(i, value) == 0);
                    }
                }
                while (!stop());
            })).ToArray();

            await Task.WhenAll([writer, .. readers]);
            AssertConsistent(db);
        }
    }

    /// <summary>Puts key after key until <paramref name="released"/>: one of them reads the data file, and is held there.</summary>
    private static void PutUntilReleased(WriteTransaction tx, Keyspace ks, HeldRead hold, Func<bool> released)
    {
        hold.Arm();
        for (var attempt = 0; attempt < Keys && !released(); attempt++)
        {
            var i = ((attempt * 7919) + 2500) % Keys;
            tx.Put(ks, Key(i), Value(i, 1));
        }
    }

    private static void AssertInUse(Action call) =>
        Assert.Equal(ErrorCode.TransactionInUse, Assert.Throws<TransactionStateException>(call).Code);

    private static void AssertInUse(Func<object?> call) =>
        Assert.Equal(ErrorCode.TransactionInUse, Assert.Throws<TransactionStateException>(call).Code);

    private static (SimulatedFileSystem Fs, Database Db, Keyspace Ks) OpenCopy()
    {
        var fs = Image.Value.Clone();
        var db = TestDatabases.Open(fs, path: DataFile);
        return (fs, db, db.Write(tx => tx.GetKeyspace("k")));
    }

    /// <summary>Every key holds the round <paramref name="expectedRound"/> gives, in the open database and after it is closed, checked and reopened.</summary>
    private static void AssertRoundsBeforeAndAfterReopen(Database db, SimulatedFileSystem fs, Keyspace ks, Func<int, int> expectedRound)
    {
        AssertEveryRound(db, ks, Keys, expectedRound);
        using var reopened = CloseCheckAndReopen(db, fs);
        AssertEveryRound(reopened, reopened.Write(t => t.GetKeyspace("k")), Keys, expectedRound);
    }
}
