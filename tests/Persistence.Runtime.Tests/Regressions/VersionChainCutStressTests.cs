using Persistence.Testing;

namespace Persistence.Tests.Regressions;

/// <summary>
/// Review of 949b68d (retired versions cut off the chain): the walks that run without the reclamation lock meet cut
/// links while versions retire under them. NothingPinned must never say nothing is pinned while a pin is held, and
/// neither the conflict check nor log pruning may lose a log an open writer needs.
/// </summary>
public sealed class VersionChainCutStressTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NothingPinned_never_misses_a_held_pin_while_retired_versions_are_cut(bool inMemory)
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small(new FakeTimeProvider());
        options.CheckpointWalBytes = 1L << 30;
        using var db = inMemory ? Database.OpenInMemory(options) : TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        long walks = 0, wrong = 0, chains = 0;
        // 3 s, and on until the counts asserted below are reached (a loaded machine may do less), for at most a minute.
        var run = TestDatabases.RunFor(TimeSpan.FromSeconds(3), () => Interlocked.Read(ref chains) > 3 && Interlocked.Read(ref walks) > 0);
        var stop = run.Stop;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();

        // Builds long chains behind an old pin, then lets them retire all at once (and be cut).
        var builder = TestDatabases.Dedicated(() =>
        {
            try
            {
                var i = 0;
                while (!stop())
                {
                    using (db.BeginRead())
                    {
                        for (var n = 0; n < 200; n++)
                        {
                            db.Write(tx => tx.Put(ks, BitConverter.GetBytes(i++ % 500), new byte[16]));
                        }
                    }

                    db.Write(tx => tx.Put(ks, [1], [1])); // the publication that retires (and cuts) the chain
                    Interlocked.Increment(ref chains);
                }
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        });

        // Always holds a pin (a newer one taken before the older is released) and walks.
        var checker = TestDatabases.Dedicated(() =>
        {
            try
            {
                var held = db.BeginRead();
                var n = 0;
                while (!stop())
                {
                    if (!db.Versions.NothingPinned())
                    {
                        Interlocked.Increment(ref walks);
                    }
                    else
                    {
                        Interlocked.Increment(ref wrong);
                    }

                    if (++n % 64 == 0)
                    {
                        var newer = db.BeginRead();
                        held.Dispose();
                        held = newer;
                    }
                }

                held.Dispose();
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        });

        await Task.WhenAll(builder, checker);
        Assert.Empty(failures);
        Assert.True(chains > 3, $"only {chains} chains retired in {run}");
        Assert.Equal(0, Interlocked.Read(ref wrong));
        Assert.True(walks > 0, $"no walk in {run}");
        TestDatabases.AssertConsistent(db);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Writers_behind_retiring_versions_find_every_log_they_need(bool inMemory)
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small(new FakeTimeProvider());
        using var db = inMemory ? Database.OpenInMemory(options) : TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        long commits = 0, conflicts = 0;
        var run = TestDatabases.RunFor(TimeSpan.FromSeconds(3), () => Interlocked.Read(ref commits) > 0);
        var stop = run.Stop;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();

        Task Worker(int id, int hold) => TestDatabases.Dedicated(() =>
        {
            var random = new Random(id);
            try
            {
                while (!stop())
                {
                    using var tx = db.BeginWrite(Durability.Buffered);
                    tx.Put(ks, BitConverter.GetBytes(random.Next(64)), BitConverter.GetBytes(id));
                    for (var i = 0; i < hold; i++)
                    {
                        Thread.Yield(); // lets others commit behind this snapshot
                    }

                    try
                    {
                        tx.Commit();
                        Interlocked.Increment(ref commits);
                    }
                    catch (WriteConflictException)
                    {
                        Interlocked.Increment(ref conflicts);
                    }

                    if (random.Next(8) == 0)
                    {
                        using var reader = db.BeginRead(); // a short pin that holds retirement back now and then
                        _ = reader.Scan(ks).Take(3).Count();
                    }
                }
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        });

        var checkpoints = inMemory ? Task.CompletedTask : TestDatabases.Dedicated(() =>
        {
            while (!stop())
            {
                db.Checkpoint();
                Thread.Sleep(20);
            }
        });
        await Task.WhenAll(Worker(1, 0), Worker(2, 50), Worker(3, 500), checkpoints);
        Assert.Empty(failures);
        Assert.True(commits > 0, $"no commit in {run}");
        db.Write(tx => tx.Put(ks, [0], [0]));
        Assert.True(db.Versions.RetainedVersions <= 2, $"{db.Versions.RetainedVersions} versions retained");
        TestDatabases.AssertConsistent(db);
    }
}

/// <summary>
/// Not a supported use (a transaction must not be used by two threads at once): it shows what the conflict check does
/// when a writer's snapshot is retired while it commits (a Dispose racing the Commit), now that retirement cuts the link
/// the check starts from.
/// </summary>
public sealed class ConflictCheckOnCutSnapshotTests
{
    [Fact]
    public void A_conflict_check_from_a_retired_snapshot_is_loud_not_silent()
    {
        using var db = Database.OpenInMemory(TestDatabases.Small(new FakeTimeProvider()));
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, [1], [0]));
        var tx = db.BeginWrite();
        tx.Put(ks, [1], [1]);
        db.Write(other => other.Put(ks, [1], [2])); // the conflicting commit
        tx.Snapshot.Unpin(); // what a Dispose racing the Commit does before the check
        db.Write(other => other.Put(ks, [9], [9])); // retires (and cuts) the snapshot
        Assert.Null(tx.Snapshot.Next);
        var thrown = Record.Exception(tx.Commit);
        tx.Snapshot.TryPin(); // keep the pin count balanced for the Dispose below (test only)
        Assert.NotNull(thrown); // a WriteConflictException, or at least an UnreachableException: not a lost update
    }
}

/// <summary>
/// Review of 949b68d: freed sets are resolved when the version before them retires. If a checkpoint or a spill could
/// still write one of the nodes dropped then, its page would be marked used and never freed (a leak the checker finds),
/// or freed while reachable.
/// </summary>
public sealed class FreedAtRetirementStressTests
{
    [Fact]
    public async Task Checkpoints_spills_and_readers_racing_commits_leak_nothing()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small(new FakeTimeProvider());
        options.SpillLeavesAfter = 64;
        var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        long commits = 0, checkpoints = 0;
        var run = TestDatabases.RunFor(TimeSpan.FromSeconds(4), () => Interlocked.Read(ref commits) > 0 && Interlocked.Read(ref checkpoints) > 0);
        var stop = run.Stop;

        Task Loop(Action<Random> body, int seed) => TestDatabases.Dedicated(() =>
        {
            var random = new Random(seed);
            try
            {
                while (!stop())
                {
                    body(random);
                }
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        });

        void Small(Random random)
        {
            try
            {
                db.Write(tx =>
                {
                    for (var i = 0; i < 4; i++)
                    {
                        var key = BitConverter.GetBytes(random.Next(4000));
                        if (random.Next(3) == 0)
                        {
                            tx.Delete(ks, key);
                        }
                        else
                        {
                            tx.Put(ks, key, new byte[random.Next(10, random.Next(20) == 0 ? 3000 : 200)]);
                        }
                    }
                }, durability: Durability.Buffered);
                Interlocked.Increment(ref commits);
            }
            catch (WriteConflictException)
            {
            }
        }

        void Large(Random random)
        {
            try
            {
                db.Write(tx =>
                {
                    var start = random.Next(4000);
                    for (var i = 0; i < 1500; i++)
                    {
                        tx.Put(ks, BitConverter.GetBytes(start + i), new byte[100]); // spills leaves
                    }
                });
            }
            catch (WriteConflictException)
            {
            }
        }

        void Read(Random random)
        {
            using var reader = db.BeginRead();
            _ = reader.Scan(ks).Take(random.Next(50, 2000)).Count();
        }

        void Checkpoint(Random random)
        {
            db.Checkpoint();
            Interlocked.Increment(ref checkpoints);
        }

        await Task.WhenAll(Loop(Small, 1), Loop(Small, 2), Loop(Large, 3), Loop(Read, 4), Loop(Checkpoint, 5));
        Assert.Empty(failures);
        Assert.True(commits > 0 && checkpoints > 0, $"{commits} commits, {checkpoints} checkpoints in {run}");
        db.Checkpoint();
        db.Checkpoint();
        TestDatabases.AssertConsistent(db);
        db = TestDatabases.CloseCheckAndReopen(db, fs, options);
        db.Dispose();
    }
}
