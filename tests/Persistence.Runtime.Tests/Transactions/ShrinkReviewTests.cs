using System.Buffers.Binary;
using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>Shrink relocating live pages from the file's tail while readers hold snapshots, writers commit, or power fails.</summary>
public sealed class ShrinkReviewTests
{
    private const int Rows = 12_000;

    [Fact]
    public async Task Shrink_moving_tail_pages_while_readers_hold_snapshots_and_writers_commit_loses_and_corrupts_nothing()
    {
        var fs = new SimulatedFileSystem();
        var options = Small();
        options.PageCacheBytes = 32 * 4096; // readers load relocated and old pages from the file
        var db = Open(fs, options);
        var ks = Fill(db);
        var committed = new Dictionary<int, int>(); // key -> generation of its value, as the writer committed it
        for (var i = KeptFrom; i < Rows; i++)
        {
            committed[i] = 0;
        }

        var stop = StopAfter(TimeSpan.FromSeconds(2)); // by the clock: a starved thread pool may fire a timer's cancellation very late
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var writer = Dedicated(() =>
        {
            var random = new Random(1);
            for (var gen = 1; !stop(); gen++)
            {
                var keys = Enumerable.Range(0, 20).Select(_ => random.Next(KeptFrom, Rows)).Distinct().ToList();
                try
                {
                    db.Write(tx =>
                    {
                        foreach (var key in keys)
                        {
                            tx.Put(ks, Key(key), Value(key, gen));
                        }
                    });
                }
                catch (Exception ex)
                {
                    failures.Enqueue("writer: " + ex);
                    return;
                }

                lock (committed)
                {
                    foreach (var key in keys)
                    {
                        committed[key] = gen;
                    }
                }
            }
        });
        var readers = Enumerable.Range(0, 2).Select(r => Dedicated(() =>
        {
            var random = new Random(100 + r);
            while (!stop())
            {
                try
                {
                    using var snapshot = db.BeginRead();
                    for (var pass = random.Next(1, 4); pass > 0 && !stop(); pass--)
                    {
                        Assert.Equal(Rows - KeptFrom, snapshot.Count(ks));
                        var expected = KeptFrom;
                        foreach (var (key, value) in snapshot.Scan(ks))
                        {
                            var i = BinaryPrimitives.ReadInt32BigEndian(key);
                            Assert.Equal(expected++, i);
                            CheckValue(i, value);
                        }

                        Assert.Equal(Rows, expected);
                        Thread.Sleep(random.Next(3));
                    }
                }
                catch (Exception ex)
                {
                    failures.Enqueue($"reader {r}: {ex}");
                    return;
                }
            }
        })).ToList();

        long shrunk = 0;
        var rounds = 0;
        while (!stop() && failures.IsEmpty)
        {
            shrunk += db.Shrink();
            rounds++;
        }

        await writer;
        await Task.WhenAll(readers);
        Assert.True(failures.IsEmpty, string.Join("\n----\n", failures));
        shrunk += db.Shrink();
        Assert.True(shrunk > 0, $"nothing was shrunk in {rounds} rounds");
        db = CloseCheckAndReopen(db, fs, options);
        using (var read = db.BeginRead())
        {
            var k = read.GetKeyspace("k");
            Assert.Equal(committed.Count, read.Count(k));
            foreach (var (key, gen) in committed)
            {
                Assert.Equal(Value(key, gen), read.Get(k, Key(key)));
            }
        }

        db.Dispose();
    }

    [Fact]
    public void A_power_failure_at_any_point_of_a_shrink_leaves_a_database_that_opens_with_every_committed_row()
    {
        var operations = ShrinkOperations();
        Assert.True(operations > 10, $"{operations} operations");

        var random = new Random(5);
        var step = Math.Max(1, operations / 16);
        for (var at = 0L; at < operations; at += step)
        {
            var (db, state) = Prepared();
            state.Fs.CrashAtOperation = state.Start + at;
            try
            {
                db.Shrink();
            }
            catch (Exception)
            {
                // the power failure, or the read-only state it leaves
            }

            try
            {
                db.Dispose();
            }
            catch (Exception)
            {
                // closing a database whose disk is gone
            }

            foreach (var mode in new[] { CrashMode.DropUnsynced, CrashMode.TornLast, CrashMode.Reorder })
            {
                ReopenedRows(state.Fs.AfterCrash(mode, random));
            }
        }
    }

    /// <summary>
    /// A durable commit lands while the shrink writes the data file (after its relocation, whose structural version has
    /// no log record, and before the checkpoint that makes the move durable), and the process dies or the power fails at
    /// every storage operation of the shrink: the reopened database holds every row, the commit whole once it was
    /// acknowledged and whole or not at all otherwise, and passes the consistency check.
    /// </summary>
    [Fact]
    public void A_crash_at_any_operation_of_a_shrink_that_a_commit_landed_during_keeps_every_acknowledged_commit()
    {
        var random = new Random(9);
        var (operations, landedAt) = Run(crashAt: long.MaxValue, check: false);
        Assert.True(landedAt >= 0, "no commit landed during the shrink");
        for (var at = 0L; at < operations; at++)
        {
            Run(at, check: true);
        }

        (long Operations, long LandedAt) Run(long crashAt, bool check)
        {
            var (db, (fs, start)) = Prepared();
            var updated = Enumerable.Range(KeptFrom, Rows - KeptFrom).Where(i => i % 7 == 0).ToList();
            var shrinking = Environment.CurrentManagedThreadId;
            var dataWrites = 0;
            var landedAt = -1L;
            var acknowledged = false;
            fs.BeforeCounted = (kind, path) =>
            {
                // The fourth write of the data file by the shrink: the relocation is published and its checkpoint under way.
                if (Environment.CurrentManagedThreadId != shrinking || kind != FaultKind.Write || path != db.Path || ++dataWrites != 4)
                {
                    return;
                }

                landedAt = fs.Operations - start;
                var commit = Dedicated(() => db.Write(tx => updated.ForEach(i => tx.Put(tx.GetKeyspace("k"), Key(i), Value(i, 1)))));
                Assert.True(((IAsyncResult)commit).AsyncWaitHandle.WaitOne(TimeSpan.FromMinutes(1)), "the commit did not complete during the shrink");
                acknowledged = commit.Status == TaskStatus.RanToCompletion;
            };
            fs.CrashAtOperation = crashAt == long.MaxValue ? long.MaxValue : start + crashAt;
            long shrunk = 0;
            try
            {
                shrunk = db.Shrink();
            }
            catch (Exception) when (fs.Crashed)
            {
                // the power failure, or the read-only state it leaves
            }

            var operations = fs.Operations - start;
            fs.BeforeCounted = null;
            if (!check)
            {
                Assert.True(acknowledged);
                Assert.True(shrunk > 0, "the shrink should move the tail's live pages and cut the file");
                db.Dispose();
                return (operations, landedAt);
            }

            var images = new[]
            {
                ("process crash", fs.AfterProcessCrash()),
                ("power failure dropping unsynced writes", fs.AfterCrash(CrashMode.DropUnsynced, random)),
                ("power failure tearing the last write", fs.AfterCrash(CrashMode.TornLast, random)),
                ("power failure reordering writes", fs.AfterCrash(CrashMode.Reorder, random)),
            };
            try
            {
                db.Dispose();
            }
            catch (Exception)
            {
                // closing a database whose disk is gone
            }

            foreach (var (what, image) in images)
            {
                var generations = new HashSet<int>();
                foreach (var (i, gen) in ReopenedRows(image))
                {
                    if (i % 7 == 0)
                    {
                        generations.Add(gen);
                    }
                    else
                    {
                        Assert.Equal(0, gen);
                    }
                }

                var context = $"{what} at operation {crashAt} of the shrink (the commit landed at {landedAt}, acknowledged: {acknowledged})";
                Assert.True(generations.Count == 1, $"{context}: part of the commit");
                Assert.True(!acknowledged || generations.Single() == 1, $"{context}: the acknowledged commit is lost");
            }

            return (operations, landedAt);
        }
    }

    /// <summary>
    /// A write, length change or fsync that fails at any point of a shrink: the shrink throws a
    /// <see cref="StorageException"/> and the database turns read-only (never a shrink that returns as if it had
    /// worked, nor a writable database over a file whose state it does not know), and the files, reopened as the cache
    /// holds them, hold every row and pass the consistency check.
    /// </summary>
    [Fact]
    public void A_failed_write_or_fsync_at_any_point_of_a_shrink_fails_it_and_makes_the_database_read_only()
    {
        var operations = ShrinkOperations();
        for (var at = 0L; at < operations; at++)
        {
            var (db, (fs, start)) = Prepared();
            FaultPoint? injected = null;
            fs.Fault = point =>
            {
                if (point.Index != start + at)
                {
                    return null;
                }

                injected = point;
                return new IOException("Input/output error", 5);
            };
            var failed = Assert.Throws<StorageException>(() => db.Shrink());
            fs.Fault = null;
            Assert.True(injected is not null, $"operation {at}: no fault injected");
            Assert.True(db.IsReadOnly, $"operation {at} ({injected}) failed, and the database stayed writable: {failed.Message}");
            db.Dispose();

            ReopenedRows(fs.AfterProcessCrash());
        }
    }

    [Fact]
    public void A_large_write_transaction_whose_leaves_spilled_commits_intact_across_a_shrink_it_overlapped()
    {
        var fs = new SimulatedFileSystem();
        var options = Small();
        var db = Open(fs, options);
        db.SpillLeavesAfter = 16;
        var ks = Fill(db);
        var reader = db.BeginRead();
        using (var tx = db.BeginWrite())
        {
            for (var i = 0; i < 3000; i++)
            {
                tx.Put(ks, Key(Rows + i), Value(Rows + i, 1)); // new keys past the rest: leaves spill to the file
                if (i % 500 == 499)
                {
                    db.Shrink(); // online: it does not wait for the open write transaction
                }
            }

            for (var i = KeptFrom; i < Rows; i += 3)
            {
                tx.Put(ks, Key(i), Value(i, 2));
            }

            Assert.True(db.GetStatistics().SpilledPages > 0, "the transaction's leaves should have spilled");
            tx.Commit();
        }

        Assert.Equal(Rows - KeptFrom, reader.Count(ks));
        reader.Dispose();
        db.Shrink();
        db = CloseCheckAndReopen(db, fs, options);
        using (var read = db.BeginRead())
        {
            var k = read.GetKeyspace("k");
            Assert.Equal(Rows - KeptFrom + 3000, read.Count(k));
            var expected = KeptFrom;
            foreach (var (key, value) in read.Scan(k))
            {
                var i = BinaryPrimitives.ReadInt32BigEndian(key);
                Assert.Equal(expected++, i);
                Assert.Equal(Value(i, i >= Rows ? 1 : (i - KeptFrom) % 3 == 0 ? 2 : 0), value);
            }
        }

        db.Dispose();
    }

    /// <summary>A quiet database filled by <see cref="Fill"/>, and the operations its file system performed so far.</summary>
    private static (Database Db, (SimulatedFileSystem Fs, long Start) State) Prepared()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Quiet());
        Fill(db);
        return (db, (fs, fs.Operations));
    }

    /// <summary>The storage operations of a shrink of a <see cref="Prepared"/> database, on a run that fails nothing.</summary>
    private static long ShrinkOperations()
    {
        var (db, (fs, start)) = Prepared();
        Assert.True(db.Shrink() > 0, "the shrink should move the tail's live pages and cut the file");
        var operations = fs.Operations - start;
        db.Dispose();
        return operations;
    }

    /// <summary>
    /// Opens <paramref name="image"/>, checks its consistency and that it holds every row from <see cref="KeptFrom"/> on
    /// with a value its writer wrote, and returns each row's generation.
    /// </summary>
    private static List<(int Row, int Generation)> ReopenedRows(SimulatedFileSystem image)
    {
        using var reopened = Open(image, Quiet());
        AssertConsistent(reopened);
        using var read = reopened.BeginRead();
        var rows = new List<(int Row, int Generation)>();
        foreach (var (key, value) in read.Scan(read.GetKeyspace("k")))
        {
            var i = BinaryPrimitives.ReadInt32BigEndian(key);
            CheckValue(i, value);
            rows.Add((i, BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(4))));
        }

        Assert.Equal(Enumerable.Range(KeptFrom, Rows - KeptFrom), rows.Select(r => r.Row));
        return rows;
    }

    /// <summary>Rows below this are deleted: the rows left were written last, so their pages lie at the file's end.</summary>
    private const int KeptFrom = Rows * 4 / 5;

    private static Keyspace Fill(Database db)
    {
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        for (var batch = 0; batch < Rows; batch += 2000)
        {
            db.Write(tx =>
            {
                for (var i = batch; i < batch + 2000; i++)
                {
                    tx.Put(ks, Key(i), Value(i, 0));
                }
            });
            db.Checkpoint();
        }

        db.Write(tx =>
        {
            for (var i = 0; i < KeptFrom; i++)
            {
                tx.Delete(ks, Key(i));
            }
        });
        db.Checkpoint();
        return ks;
    }

    private static byte[] Key(int i)
    {
        var key = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(key, i);
        return key;
    }

    /// <summary>A value that names its key and generation and checks itself; every 50th is large (overflow pages).</summary>
    private static byte[] Value(int key, int gen)
    {
        var value = new byte[key % 50 == 7 ? 6000 : 100];
        BinaryPrimitives.WriteInt32LittleEndian(value, key);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(4), gen);
        for (var i = 8; i < value.Length; i++)
        {
            value[i] = (byte)(key + gen + i);
        }

        return value;
    }

    private static void CheckValue(int key, byte[] value)
    {
        Assert.True(value.Length >= 8, $"key {key}: {value.Length} bytes");
        var gen = BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(4));
        Assert.True(Value(key, gen).AsSpan().SequenceEqual(value), $"key {key}: the value is not one the writer wrote");
    }
}
