using System.Buffers.Binary;
using Persistence.Testing;
using Persistence.Wal;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Wal;

/// <summary>
/// Group commit under a mixed load (helper-59): writers, some asynchronous, make durable, buffered and
/// sync-only commits on a chain (each commit takes the next number of one counter, and writes a value of its own under
/// it), the log's writes and syncs are delayed at random, segments are small (a switch every few batches) and
/// checkpoints recycle them meanwhile. Readers see the chain without gaps; power-failure images taken along the way
/// hold a gapless chain with every commit acknowledged durable before them. One run fails an fsync part-way (the
/// write-back is lost for good: no later sync writes it), one closes the database while commits run.
/// </summary>
public sealed class GroupCommitStressTests
{
    private static readonly byte[] CounterKey = Bytes("counter");

    public enum Twist
    {
        None,
        FailASync,
        CloseWhileCommitting,
    }

    /// <summary>One run of each kind; PERSISTENCE_GROUP_COMMIT_SEEDS=N adds N more (a longer hunt).</summary>
    public static TheoryData<int, Twist> Seeds()
    {
        var seeds = new TheoryData<int, Twist> { { 1, Twist.None }, { 2, Twist.FailASync }, { 3, Twist.CloseWhileCommitting } };
        var more = int.TryParse(Environment.GetEnvironmentVariable("PERSISTENCE_GROUP_COMMIT_SEEDS"), out var count) ? count : 0;
        for (var seed = 100; seed < 100 + more; seed++)
        {
            seeds.Add(seed, (Twist)(seed % 3));
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Batches_keep_every_acknowledged_commit_and_show_none_early(int seed, Twist twist)
    {
        var duration = TimeSpan.FromMilliseconds(1200);
        var fs = new SimulatedFileSystem();
        var options = Small();
        options.BufferedFlushDelay = TimeSpan.FromMilliseconds(3);
        var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var chain = db.Write(tx => tx.CreateKeyspace("chain"));
        db.Write(tx => tx.Put(ks, CounterKey, Number(0)));
        var failAt = twist == Twist.FailASync ? new Random(seed).Next(20, 120) : -1;
        var walFlushes = 0;
        long flushing = 0, mostFlushing = 0;
        var injected = 0;
        fs.Fault = point =>
        {
            if (!point.Path.EndsWith(WalSegments.Extension, StringComparison.Ordinal))
            {
                return null;
            }

            var flush = point.Kind == FaultKind.Flush;
            Raise(ref mostFlushing, flush ? Interlocked.Increment(ref flushing) : 0);
            Delay();
            if (flush)
            {
                Interlocked.Decrement(ref flushing);
            }

            if (flush && Interlocked.Increment(ref walFlushes) == failAt)
            {
                // The write-back fails: the pages are lost for good, and this fdatasync reports it, a little later; the
                // syncs running beside it succeed (Linux tells one fdatasync per open file).
                fs.FailWriteback(point.Path);
                Volatile.Write(ref injected, 1);
                Thread.Sleep(Random.Shared.Next(3));
                return new IOException("injected fsync failure");
            }

            return null;
        };

        long durableFloor = 0; // every commit up to here was acknowledged durable (or a sync-only commit after it was)
        long acknowledged = 0;
        var stop = StopAfter(duration);
        var closing = twist == Twist.CloseWhileCommitting ? StopAfter(duration / 2) : () => false;
        var others = new List<Task>
        {
            Dedicated(() =>
            {
                while (!stop() && !closing())
                {
                    using var read = db.BeginRead();
                    Assert.Equal(Value(read, ks), read.Count(chain)); // a visible commit comes with every commit before it
                }
            }),
            Dedicated(() =>
            {
                // Checkpoints recycle the log's segments while later batches write and sync the next ones.
                while (!stop() && !closing())
                {
                    Thread.Sleep(20);
                    try
                    {
                        db.Checkpoint();
                    }
                    catch (DatabaseReadOnlyException) when (twist == Twist.FailASync)
                    {
                        return;
                    }
                }
            }),
            Dedicated(() =>
            {
                for (var i = 0; i < 3 && !stop() && !closing(); i++)
                {
                    Thread.Sleep(duration / 4);
                    CheckImage(fs, Volatile.Read(ref durableFloor), new Random(seed + i));
                }
            }),
        };
        var writers = Enumerable.Range(0, 4).Select(w => Dedicated(() => Writer(w, false).GetAwaiter().GetResult())).ToList();
        writers.AddRange(Enumerable.Range(4, 2).Select(w => Task.Run(() => Writer(w, true))));
        try
        {
            if (twist == Twist.CloseWhileCommitting)
            {
                await Task.WhenAll(others); // they stop when the close begins; the writers go on
                await Closed(seed % 2 == 0 ? Task.Run(db.Dispose) : db.DisposeAsync().AsTask());
            }

            var all = Task.WhenAll(writers.Concat(others));
            if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))) != all)
            {
                Assert.Fail($"seed {seed}: hung; {Stats()}");
            }

            await all;
            Assert.Equal(twist == Twist.FailASync && Volatile.Read(ref injected) == 1, db.IsReadOnly);
            Assert.True(db.Wal!.MaxBatchesWaited <= 2, $"a commit waited for {db.Wal.MaxBatchesWaited} batches");
        }
        finally
        {
            await Closed(Task.Run(db.Dispose));
        }

        // A clean close makes buffered commits durable too.
        CheckImage(fs, db.IsReadOnly ? Volatile.Read(ref durableFloor) : Volatile.Read(ref acknowledged), new Random(seed));

        async Task Closed(Task close)
        {
            if (await Task.WhenAny(close, Task.Delay(TimeSpan.FromSeconds(60))) != close)
            {
                Assert.Fail($"seed {seed}: the close hung; {Stats()}");
            }

            await close;
        }

        string Stats() =>
            $"acknowledged {Volatile.Read(ref acknowledged)}, durable floor {Volatile.Read(ref durableFloor)}, batches {db.Wal!.Batches}, "
            + $"syncs {db.Wal.Syncs}, written {db.Wal.WrittenLsn}, durable {db.Wal.DurableLsn}, checkpoints {db.Checkpointer!.Completed}, "
            + $"most syncs at once {Interlocked.Read(ref mostFlushing)}, fsync failure injected {Volatile.Read(ref injected) == 1}, log failed {db.Wal.HasFailed}";

        async Task Writer(int w, bool asynchronous)
        {
            var mine = new Random((seed * 31) + w);
            while (!stop())
            {
                var durability = mine.Next(2) == 0 ? Durability.Durable : Durability.Buffered;
                try
                {
                    if (mine.Next(5) == 0)
                    {
                        // No writes: durable, it waits for a sync when its snapshot's end is not durable yet.
                        using var tx = asynchronous ? await db.BeginWriteAsync(Durability.Durable) : db.BeginWrite(Durability.Durable);
                        var seen = Value(tx, ks);
                        await Commit(tx, asynchronous);
                        Raise(ref durableFloor, seen);
                        continue;
                    }

                    long taken;
                    while (true)
                    {
                        using var tx = asynchronous ? await db.BeginWriteAsync(durability) : db.BeginWrite(durability);
                        taken = Value(tx, ks) + 1;
                        tx.Put(ks, CounterKey, Number(taken));
                        tx.Put(chain, Number(taken), new byte[mine.Next(1, 3000)]); // large ones span segments
                        try
                        {
                            await Commit(tx, asynchronous);
                            break;
                        }
                        catch (WriteConflictException)
                        {
                        }
                    }

                    Raise(ref acknowledged, taken);
                    if (durability == Durability.Durable)
                    {
                        Raise(ref durableFloor, taken);
                    }
                }
                catch (DatabaseReadOnlyException) when (twist == Twist.FailASync)
                {
                    Assert.Equal(1, Volatile.Read(ref injected));
                    return;
                }
                catch (PersistenceException ex) when (twist == Twist.CloseWhileCommitting && ex.Code == ErrorCode.DatabaseClosed)
                {
                    return;
                }
            }
        }
    }

    private static async ValueTask Commit(WriteTransaction tx, bool asynchronous)
    {
        if (asynchronous)
        {
            await tx.CommitAsync();
        }
        else
        {
            tx.Commit();
        }
    }

    /// <summary>A power failure now: the log recovers a gapless chain that holds every commit acknowledged durable before.</summary>
    private static void CheckImage(SimulatedFileSystem fs, long floor, Random random)
    {
        var mode = (CrashMode)random.Next(3); // DropUnsynced, TornLast or Reorder
        using var crashed = TestDatabases.Open(fs.AfterCrash(mode, random), Quiet());
        using var read = crashed.BeginRead();
        var counter = Value(read, read.GetKeyspace("k"));
        Assert.True(counter >= floor, $"{mode}: {counter} commits recovered, {floor} were acknowledged durable");
        Assert.Equal(counter, read.Count(read.GetKeyspace("chain")));
        AssertConsistent(crashed);
    }

    private static void Delay()
    {
        switch (Random.Shared.Next(16))
        {
            case 0:
                Thread.Sleep(1);
                break;
            case 1:
                Thread.Yield();
                break;
            case 2:
                Thread.SpinWait(Random.Shared.Next(2000));
                break;
        }
    }

    private static void Raise(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (current < value && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    private static long Value(Transaction tx, Keyspace ks) => BinaryPrimitives.ReadInt64BigEndian(tx.Get(ks, CounterKey));

    private static byte[] Number(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}
