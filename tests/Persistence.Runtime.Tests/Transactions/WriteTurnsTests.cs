using System.Buffers.Binary;
using Persistence.Testing;
using Persistence.Transactions;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>
/// A retried <c>Database.Write</c> takes a turn alone after two conflicts, so a hot key does not make writers fail with
/// RetryLimitExceeded under the default policy; every wait of the turns is bounded, so nesting cannot deadlock.
/// </summary>
public sealed class WriteTurnsTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public async Task Writers_of_one_hot_key_never_run_out_of_retries_under_the_default_policy(int threads)
    {
        using var dir = new TempDirectory();
        using var db = Database.Open(dir.File(), new DatabaseOptions { DefaultDurability = Durability.Buffered });
        var ks = CreateCounter(db);
        long increments = 0, failures = 0;
        // 2 s, and on until 1000 increments (a loaded machine may do far fewer in 2 s), for at most a minute.
        var run = RunFor(TimeSpan.FromSeconds(2), () => Interlocked.Read(ref increments) > 1000);
        var writers = Enumerable.Range(0, threads).Select(_ => Dedicated(() =>
        {
            while (!run.Stop())
            {
                try
                {
                    db.Write(tx => Increment(tx, ks));
                    Interlocked.Increment(ref increments);
                }
                catch (PersistenceException ex) when (ex.Code == ErrorCode.RetryLimitExceeded)
                {
                    // Without turns, two threads ran out of their ten attempts 17 times in 3 s (16 threads: 126).
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await Task.WhenAll(writers);

        Assert.Equal(0, failures);
        Assert.True(increments > 1000, $"only {increments} increments in {run}");
        using var read = db.BeginRead();
        Assert.Equal(increments, BinaryPrimitives.ReadInt64BigEndian(read.Get(ks, [0])));
    }

    [Fact]
    public async Task An_async_writer_of_a_hot_key_gets_its_turn_too()
    {
        using var dir = new TempDirectory();
        using var db = Database.Open(dir.File(), new DatabaseOptions { DefaultDurability = Durability.Buffered });
        var ks = CreateCounter(db);
        var stop = StopAfter(TimeSpan.FromSeconds(2));
        long increments = 0;
        async Task Writer()
        {
            while (!stop())
            {
                await db.WriteAsync((tx, _) =>
                {
                    Increment(tx, ks);
                    return ValueTask.FromResult(true);
                });
                Interlocked.Increment(ref increments);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Writer)));

        using var read = db.BeginRead();
        Assert.Equal(increments, BinaryPrimitives.ReadInt64BigEndian(read.Get(ks, [0])));
    }

    [Fact]
    public async Task A_turn_waits_for_a_commit_under_way_however_long_the_disk_takes()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs);
        var ks = CreateCounter(db);
        using var stalled = new ManualResetEventSlim();
        var stall = 0;
        // Only a write to the segment the log is in: the background zero-fill of the next segment, which a loaded
        // machine may run late, must not take the stall meant for the other writer's commit.
        var log = Path.GetFullPath($"{db.Path}-wal/{Persistence.Wal.WalSegments.NameOf(db.Wal!.NextLsn / TestDatabases.Small().WalSegmentBytes)}");
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Write && point.Path == log && Interlocked.Exchange(ref stall, 0) == 1)
            {
                stalled.Set();
                Thread.Sleep(WriteTurns.MaxWait * 4); // the disk stalls this commit's log write for four bounds
            }

            return null;
        };

        // Attempt 1 loses to an ungated transaction; attempt 2 loses to the other writer, whose commit then stalls; so
        // attempt 3, the last, is a turn that starts while that commit is still under way. Going ahead of it after the
        // bound, as turns used to, it read the counter without the other writer's increment and lost its conflict check.
        Task? other = null;
        var attempts = 0;
        db.Write(tx =>
        {
            Increment(tx, ks);
            switch (++attempts)
            {
                case 1:
                    using (var rival = db.BeginWrite())
                    {
                        Increment(rival, ks);
                        rival.Commit();
                    }

                    break;
                case 2:
                    Volatile.Write(ref stall, 1);
                    other = Dedicated(() => db.Write(t => Increment(t, ks)));
                    Assert.True(stalled.Wait(TimeSpan.FromSeconds(30)), "the other writer never reached the disk");
                    break;
            }
        }, new RetryPolicy { MaxAttempts = 3 });
        await other!;

        Assert.Equal(3, attempts);
        using var read = db.BeginRead();
        Assert.Equal(3, BinaryPrimitives.ReadInt64BigEndian(read.Get(ks, [0])));
    }

    [Fact]
    public async Task A_turn_does_not_wait_for_commits_that_began_after_it()
    {
        // Writers whose commits each take 200 ms and overlap (a slow disk). Once the turn waits for commits, new attempts
        // wait for the turn; had they gone ahead after the bound, the turn would wait for their commits too, for ever.
        var turns = new WriteTurns();
        var stop = 0;
        var writers = Enumerable.Range(0, 4).Select(n => Dedicated(() =>
        {
            Thread.Sleep(n * 60);
            while (Volatile.Read(ref stop) == 0)
            {
                var entry = turns.Committing(turns.Enter(1));
                Thread.Sleep(200);
                turns.Leave(entry);
            }
        })).ToArray();

        await Task.Delay(500);
        var turn = Dedicated(() => turns.Leave(turns.Enter(WriteTurns.TurnFromAttempt)));
        var finished = await Task.WhenAny(turn, Task.Delay(TimeSpan.FromSeconds(20))) == turn;
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(writers);
        await turn;
        Assert.True(finished, "the turn was still waiting after 20 s");
        AssertReleased(turns);
    }

    [Fact]
    public async Task On_a_slow_disk_a_turn_runs_among_durable_writers()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var slow = 1;
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Flush && Volatile.Read(ref slow) == 1)
            {
                Thread.Sleep(150); // every fsync of the log takes 150 ms
            }

            return null;
        };
        var stop = 0;
        var writers = Enumerable.Range(0, 6).Select(n => Dedicated(() =>
        {
            for (var i = 0; Volatile.Read(ref stop) == 0; i++)
            {
                db.Write(tx => tx.Put(ks, [(byte)n, (byte)(i % 200)], [1]), durability: Durability.Durable);
            }
        })).ToArray();
        await Task.Delay(1000);

        // Attempts 1 and 2 lose to an ungated transaction; attempt 3 is a turn among six writers whose commits overlap.
        var attempts = 0;
        var turn = Dedicated(() => db.Write(tx =>
        {
            tx.Put(ks, [200], [(byte)attempts]);
            if (++attempts < WriteTurns.TurnFromAttempt)
            {
                using var rival = db.BeginWrite(Durability.Buffered);
                rival.Put(ks, [200], [9]);
                rival.Commit();
            }
        }, new RetryPolicy { MaxAttempts = WriteTurns.TurnFromAttempt }));
        var finished = await Task.WhenAny(turn, Task.Delay(TimeSpan.FromSeconds(20))) == turn;
        Volatile.Write(ref stop, 1);
        Volatile.Write(ref slow, 0);
        await Task.WhenAll(writers);
        await turn; // throws RetryLimitExceeded if the turn lost its conflict check
        Assert.True(finished, "the turn had not committed after 20 s");
        Assert.Equal(WriteTurns.TurnFromAttempt, attempts);
    }

    [Fact]
    public async Task A_turn_goes_ahead_of_work_after_the_bound_but_not_of_a_commit()
    {
        var turns = new WriteTurns();
        var working = turns.Enter(1); // stuck in its work (a lock the turn would want, say): waited for at most the bound
        var committing = turns.Committing(turns.Enter(1));
        var commitsSeenByTurn = -1;
        var turn = Dedicated(() =>
        {
            var entry = turns.Enter(WriteTurns.TurnFromAttempt);
            commitsSeenByTurn = turns.Commits;
            turns.Leave(entry);
        });

        await Task.Delay(WriteTurns.MaxWait * 3);
        Assert.False(turn.IsCompleted, "the turn went ahead of a commit under way");
        turns.Leave(committing);
        await turn.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, commitsSeenByTurn);
        Assert.Equal(1, turns.Running);
        turns.Leave(working);
        AssertReleased(turns);
    }

    [Fact]
    public async Task A_turn_waits_for_the_turn_before_it_while_that_one_commits()
    {
        var turns = new WriteTurns();
        var first = turns.Committing(turns.Enter(WriteTurns.TurnFromAttempt));
        bool? secondTookTheLock = null;
        var second = Dedicated(() =>
        {
            var entry = turns.Enter(WriteTurns.TurnFromAttempt);
            secondTookTheLock = entry.Taken;
            turns.Leave(entry);
        });

        await Task.Delay(WriteTurns.MaxWait * 3);
        Assert.False(second.IsCompleted, "the turn went ahead of the turn before it while that one committed");
        turns.Leave(first);
        await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(secondTookTheLock);
        AssertReleased(turns);
    }

    [Fact]
    public async Task Attempts_and_turns_nested_in_a_turn_wait_at_most_the_bound_and_never_deadlock()
    {
        var turns = new WriteTurns();
        var nested = Dedicated(() =>
        {
            var outer = turns.BeginTurn();
            Assert.True(outer);
            turns.BeginAttempt(); // waits for the outer turn, which cannot end first: gives up after the bound
            turns.EndAttempt();
            var inner = turns.BeginTurn(); // the turn's lock is the outer's: gives up after the bound, without it
            Assert.False(inner);
            turns.EndTurn(inner);
            turns.EndTurn(outer);
        });

        await nested.WaitAsync(TimeSpan.FromSeconds(30));
        AssertReleased(turns);
    }

    [Fact]
    public async Task A_turn_interrupted_while_it_waits_leaves_nothing_counted()
    {
        var turns = new WriteTurns();
        turns.BeginAttempt(); // under way: the turn has to wait for it
        var interrupted = Dedicated(() =>
        {
            Thread.CurrentThread.Interrupt(); // thrown at the turn's first yield while it waits
            Assert.Throws<ThreadInterruptedException>(() => turns.BeginTurn());
        });

        await interrupted.WaitAsync(TimeSpan.FromSeconds(30));
        turns.EndAttempt();
        AssertReleased(turns);
    }

    private static void AssertReleased(WriteTurns turns)
    {
        Assert.Equal(0, turns.Wanted);
        Assert.Equal(0, turns.Running);
        Assert.Equal(0, turns.Commits);
        Assert.Equal(0, turns.OnCommits);
        Assert.True(turns.TurnFree);
    }

    private static Keyspace CreateCounter(Database db) => db.Write(tx =>
    {
        var k = tx.CreateKeyspace("counter");
        tx.Put(k, [0], new byte[8]);
        return k;
    });

    private static void Increment(WriteTransaction tx, Keyspace ks)
    {
        var value = BinaryPrimitives.ReadInt64BigEndian(tx.Get(ks, [0]));
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value + 1);
        tx.Put(ks, [0], bytes);
    }
}
