using Persistence.Testing;
using Persistence.Wal;

namespace Persistence.Tests.Regressions;

/// <summary>
/// The close waits for the commits in flight. It used to poll for them: the asynchronous close looped on
/// <c>Task.Delay(1)</c>, a timer and a thread-pool callback at every tick of the real clock, and the synchronous one
/// slept in SpinWait's <c>Sleep(1)</c>, about once a millisecond. Both now wait on a signal that the last commit out
/// completes, and do not wake while a commit is held. The tests count the wakes while a commit's fsync is held for
/// 200 ms (polling woke 12 to 190 times meanwhile, fewest with a busy thread pool) against a small bound; they time
/// nothing. The clock is a frozen fake one: the close must not need it to advance.
/// </summary>
public sealed class CloseDrainTests
{
    private const string DataFile = "/sim/drain.db";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>How long each count runs.</summary>
    private static readonly TimeSpan Held = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the close waits before the count starts: long past a blocking wait's spinning.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(50);

    /// <summary>The most wakes a wait on a signal may show: none or one for the waiting itself, and some slack.</summary>
    private const int FewWakes = 6;

    /// <summary>
    /// DisposeAsync with a commit's fsync held: the close does not complete, and over 200 ms its asynchronous flow does
    /// not resume (each poll resumed it on a thread-pool thread, seen here as a switch to its execution context). Once
    /// the fsync is let go the close completes, and the commit survives a power failure after it.
    /// </summary>
    [Fact]
    public async Task DisposeAsync_waits_for_a_held_commit_without_polling_and_completes_once_it_is_released()
    {
        using var commit = HeldCommit.Start();
        var resumptions = 0;
        var closeFlow = new AsyncLocal<object?>(change =>
        {
            if (change.ThreadContextChanged)
            {
                Interlocked.Increment(ref resumptions); // a thread entered or left the close's flow
            }
        });
        var closing = await TestDatabases.Dedicated(() =>
        {
            closeFlow.Value = "the close"; // marks the flow DisposeAsync starts, and only it: the commit's thread runs without it
            return commit.Database.DisposeAsync().AsTask();
        }).WaitAsync(HangGuard);
        var wakes = await CountDuringHold(() => Volatile.Read(ref resumptions));
        Assert.False(closing.IsCompleted, "the close completed under a held commit");
        Assert.True(wakes <= FewWakes, $"a thread entered or left the close's flow {wakes} times in {Held.TotalMilliseconds} ms while it waited for a held commit: it polls");

        commit.Release();
        await closing.WaitAsync(HangGuard);
        await commit.AssertDurableAfterPowerFailure();
    }

    /// <summary>
    /// Dispose with a commit's fsync held: the closing thread blocks, switching out a few times at most over 200 ms
    /// (sleeping in a loop switched out about once a millisecond), and returns once the fsync is let go.
    /// </summary>
    [LinuxFact]
    public async Task Dispose_blocks_on_a_held_commit_without_sleeping_in_a_loop_and_returns_once_it_is_released()
    {
        // The count must count, or the bound below holds vacuously (a sandbox kernel may leave it at zero).
        Assert.True(await TestDatabases.Dedicated(SwitchesOverFiveSleeps) >= 5, "this kernel does not count voluntary context switches");

        using var commit = HeldCommit.Start();
        string? closingThread = null;
        var closing = TestDatabases.Dedicated(() =>
        {
            Volatile.Write(ref closingThread, NativeThreadId());
            commit.Database.Dispose();
        });
        Assert.True(SpinWait.SpinUntil(() => IsClosing(commit.Database) || closing.IsCompleted, HangGuard), "Dispose never started the close");
        var wakes = await CountDuringHold(() => VoluntaryContextSwitches(closingThread!));
        Assert.False(closing.IsCompleted, "the close completed under a held commit");
        Assert.True(wakes <= FewWakes, $"the closing thread switched out {wakes} times in {Held.TotalMilliseconds} ms while it waited for a held commit: it sleeps in a loop");

        commit.Release();
        await closing.WaitAsync(HangGuard);
        await commit.AssertDurableAfterPowerFailure();
    }

    /// <summary>
    /// How much <paramref name="counter"/> grows in <see cref="Held"/>, counted on a thread of its own: a test thread
    /// that slept may hold a thread-pool thread, which polling needs to resume: on a 2-core machine the pool may have no
    /// other, and the polling stalled, as if it were not there. The count starts <see cref="Settle"/> after the close
    /// began waiting: a blocking wait spins first, yielding the processor, and on a loaded machine each of those yields
    /// switched out (9 in one count); polling goes on for as long as the hold.
    /// </summary>
    private static Task<long> CountDuringHold(Func<long> counter) => TestDatabases.Dedicated(() =>
    {
        Thread.Sleep(Settle);
        var before = counter();
        Thread.Sleep(Held);
        return counter() - before;
    });

    /// <summary>How many voluntary context switches the calling thread's kernel counter shows over five short sleeps.</summary>
    private static long SwitchesOverFiveSleeps()
    {
        var thread = NativeThreadId();
        var before = VoluntaryContextSwitches(thread);
        for (var i = 0; i < 5; i++)
        {
            Thread.Sleep(1);
        }

        return VoluntaryContextSwitches(thread) - before;
    }

    /// <summary>True once the close refuses new commits: it waits for those in flight next.</summary>
    private static bool IsClosing(Database db) => Record.Exception(db.ThrowIfDisposed) is not null;

    /// <summary>The kernel's id of the calling thread: the first field of its stat.</summary>
    private static string NativeThreadId() => File.ReadAllText("/proc/thread-self/stat").Split(' ')[0];

    /// <summary>How many times the thread gave up the processor: each sleep or blocking wait counts one.</summary>
    private static long VoluntaryContextSwitches(string thread)
    {
        const string Field = "voluntary_ctxt_switches:";
        var line = File.ReadLines($"/proc/self/task/{thread}/status").Single(l => l.StartsWith(Field, StringComparison.Ordinal));
        return long.Parse(line.AsSpan(Field.Length).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A durable commit held in flight at its log's fsync, on a thread of its own, until released.</summary>
    private sealed class HeldCommit : IDisposable
    {
        private static readonly byte[] Key = TestDatabases.Bytes("held");
        private readonly SimulatedFileSystem _fs = new();
        private readonly ManualResetEventSlim _held = new();
        private readonly ManualResetEventSlim _release = new();
        private Task _commit = Task.CompletedTask;

        public Database Database { get; private set; } = null!;

        public static HeldCommit Start()
        {
            var commit = new HeldCommit();
            try
            {
                commit.Begin();
                return commit;
            }
            catch
            {
                commit.Dispose();
                throw;
            }
        }

        private void Begin()
        {
            Database = TestDatabases.Open(_fs, TestDatabases.Quiet(), DataFile); // a frozen fake clock, no background work
            var ks = Database.Write(tx => tx.CreateKeyspace("k"));
            var holding = 0;
            _fs.Fault = point =>
            {
                if (point.Kind == FaultKind.Flush && point.Path.EndsWith(WalSegments.Extension, StringComparison.Ordinal)
                    && Interlocked.Exchange(ref holding, 1) == 0)
                {
                    _held.Set();
                    _release.Wait(HangGuard);
                }

                return null;
            };
            _commit = TestDatabases.Dedicated(() => Database.Write(tx => tx.Put(ks, Key, Key), durability: Durability.Durable));
            Assert.True(SpinWait.SpinUntil(() => _held.IsSet || _commit.IsCompleted, HangGuard), "the commit never reached its fsync");
            Assert.True(_held.IsSet, $"the commit ended without an fsync: {_commit.Exception}");
        }

        public void Release() => _release.Set();

        /// <summary>The commit was acknowledged, and the database reopened after a power failure holds it.</summary>
        public async Task AssertDurableAfterPowerFailure()
        {
            await _commit.WaitAsync(HangGuard);
            using var reopened = TestDatabases.Open(_fs.AfterCrash(CrashMode.DropUnsynced, new Random(1)), TestDatabases.Quiet(), DataFile);
            using (var read = reopened.BeginRead())
            {
                Assert.Equal(Key, read.Get(read.GetKeyspace("k"), Key));
            }

            TestDatabases.AssertConsistent(reopened);
        }

        /// <summary>
        /// Lets the commit go (also when an assertion failed: the close waits for it) and closes the database. The wait
        /// is bounded and its outcome ignored: a close that never completes has failed the test's own wait already, and
        /// must not hang the run here.
        /// </summary>
        public void Dispose()
        {
            _release.Set();
            _ = Database?.DisposeAsync().AsTask().Wait(HangGuard);
        }
    }
}
