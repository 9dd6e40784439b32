using Persistence.Testing;
using Persistence.Tests.Collections;
using Persistence.Ttl;

namespace Persistence.Tests.Ttl;

/// <summary>
/// A synchronous <see cref="Database.Dispose"/> against a pass the application runs with
/// <see cref="Database.CollectExpiredAsync"/>, which the close waits for: a disposal from inside the pass's own chain of
/// calls must not wait (it would wait for itself), and a disposal the pass waits for must not hang for ever. The hang
/// guards only turn a deadlock into a failure.
/// </summary>
public sealed class DisposeDuringPassTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A's pass runs B's pass (a collection's code of A calls B.CollectExpiredAsync and waits for it), and code in B's
    /// pass disposes A. The pass flow named B's collector alone there, so the disposal of A did not see that it ran
    /// inside A's pass: it closed A on the spot, and waited for A's pass, which waited for B's, which waited for it.
    /// Each pass now sees every pass it runs inside.
    /// </summary>
    [Fact]
    public async Task A_dispose_of_a_database_from_a_pass_nested_in_its_own_returns_and_the_close_ends_after_the_pass()
    {
        var time = new FakeTimeProvider(Start);
        var fsA = new SimulatedFileSystem();
        var a = TestDatabases.Open(fsA, Options(time));
        var b = TestDatabases.Open(new SimulatedFileSystem(), Options(time)); // disposed at the end: a deadlocked pass holds it
        var disposedA = false;
        b.Ttl.Register(new FirstFlushRuns("disposes-a", () =>
        {
            a.Dispose(); // inside B's pass, inside A's: returns at once
            disposedA = true;
        }));
        a.Ttl.Register(new FirstFlushRuns("runs-b", () => b.CollectExpiredAsync().GetAwaiter().GetResult())); // visited first
        var users = new UserCollection(a);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(1)); // alive until 15 s once written

        // The close the disposal started runs elsewhere, and may begin before A's pass ends (which it then cuts short) or after.
        var pass = Task.Run(() => a.CollectExpiredAsync()).WaitAsync(TimeSpan.FromMinutes(1));
        await Task.WhenAny(pass);
        Assert.True(disposedA);
        if (!pass.IsCompletedSuccessfully)
        {
            var closed = await Assert.ThrowsAsync<TransactionStateException>(() => pass);
            Assert.Equal(ErrorCode.DatabaseClosed, closed.Code);
        }

        await a.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1)); // the close the disposal started
        await b.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1));

        using var reopened = TestDatabases.Open(fsA, Options(time));
        var again = new UserCollection(reopened);
        time.SetUtcNow(Start + TimeSpan.FromSeconds(14.9));
        Assert.True(again.Contains(1)); // A's pass, or its close, wrote the read
    }

    /// <summary>
    /// Code in a pass starts work it does not wait for, which disposes the database after the pass ended (the
    /// application's shutdown, say). The pass flow reached that work and still named the pass there, so the Dispose took
    /// itself for one from inside the pass: it started the close elsewhere and returned at once, the files still open
    /// (a reopen of the path found them locked, a process ending then lost the close's writes). Once the pass ended, it
    /// closes on the spot.
    /// </summary>
    [Fact]
    public async Task A_dispose_from_work_a_pass_started_and_that_outlived_it_closes_before_it_returns()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, Options(time));
        var work = new OutlivingWork(db);
        db.Ttl.Register(work);

        await db.CollectExpiredAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await work.AssertDisposeClosesAsync();
        using var reopened = TestDatabases.Open(fs, Options(time)); // the file lock is free
    }

    /// <summary>
    /// The same from work that code in the collector's loop starts (here in its flush between passes, as a host's
    /// service runs the loop): the loop's flow marker reached that work too, and named the loop there after the step
    /// that started the work ended, so the Dispose started the close elsewhere and returned at once, the files still
    /// open. Once the step ended, it closes on the spot (and the loop ends with the close).
    /// </summary>
    [Fact]
    public async Task A_dispose_from_work_the_loop_started_and_that_outlived_its_step_closes_before_it_returns()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var options = Options(time);
        var db = TestDatabases.Open(fs, options);
        var work = new OutlivingWork(db);
        db.Ttl.Register(work);
        var armed = time.ArmedTimers;
        var loop = db.Ttl.RunAsync(CancellationToken.None);

        // The loop sleeps until the flush is due, flushes once the clock passed it (the work starts), and sleeps again:
        // the step that started the work is over.
        Assert.True(SpinWait.SpinUntil(() => time.ArmedTimers > armed, TimeSpan.FromMinutes(1)));
        time.Advance(options.Ttl.SlidingFlushInterval);
        Assert.True(SpinWait.SpinUntil(() => work.Started && time.ArmedTimers > armed, TimeSpan.FromMinutes(1)));

        await work.AssertDisposeClosesAsync();
        await loop.WaitAsync(TimeSpan.FromMinutes(1));
        using var reopened = TestDatabases.Open(fs, options); // the file lock is free
    }

    /// <summary>
    /// The disposing thread holds a lock that code in the application's pass takes: the pass cannot reach a point where
    /// it stops, and the close waited for it for ever, silently. The close now waits up to its limit on the database's
    /// clock, logs that it goes on without the pass (event 19), writes the reads not flushed yet and closes; the pass
    /// resumes once the lock is free and fails with DatabaseClosed.
    /// </summary>
    [Fact]
    public async Task A_dispose_on_a_thread_holding_what_the_pass_waits_for_ends_after_the_limit_and_says_so()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var options = Options(time, lifetime: TimeSpan.FromMinutes(1)); // outlives the wait on the clock
        var captured = new CapturingLogger();
        options.Logger = captured;
        var db = TestDatabases.Open(fs, options);
        var gate = new Lock();
        using var entered = new ManualResetEventSlim();
        db.Ttl.Register(new FirstFlushRuns("locks", () =>
        {
            entered.Set();
            lock (gate)
            {
                // what the application's code in the pass needs
            }
        }));
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(1)); // alive until 65 s once written

        var pass = await DisposeWhilePassWaitsAsync(db, time, gate, entered);
        Assert.True(captured.Has(19));

        var closed = await Assert.ThrowsAsync<TransactionStateException>(() => pass.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(ErrorCode.DatabaseClosed, closed.Code);

        using var reopened = TestDatabases.Open(fs, Options(time, lifetime: TimeSpan.FromMinutes(1)));
        var again = new UserCollection(reopened);
        time.SetUtcNow(Start + TimeSpan.FromSeconds(64.9));
        Assert.True(again.Contains(1)); // the close wrote the read at 5 s without the pass
        time.SetUtcNow(Start + TimeSpan.FromSeconds(65));
        Assert.False(again.Contains(1));
        Assert.Empty(again.CheckConsistency());
    }

    /// <summary>
    /// A pass the close went on without resumes inside a write transaction its code began, after the files closed: its
    /// cursor and its commit fail with DatabaseClosed (nothing else from the closed page cache or log), and a reopen of
    /// the path finds none of its writes.
    /// </summary>
    [Fact]
    public async Task A_pass_left_by_the_close_resuming_in_a_write_transaction_fails_with_DatabaseClosed_and_writes_nothing()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, Options(time));
        Keyspace data;
        using (var setup = db.BeginWrite())
        {
            data = setup.CreateKeyspace("data");
            for (var i = 0; i < 2_000; i++)
            {
                setup.Put(data, BitConverter.GetBytes(i), new byte[200]); // more pages than the cache holds
            }

            setup.Commit();
        }

        var gate = new Lock();
        using var entered = new ManualResetEventSlim();
        db.Ttl.Register(new FirstFlushRuns("writes", () =>
        {
            using var tx = db.BeginWrite();
            tx.Put(data, [1], [1]);
            entered.Set();
            lock (gate)
            {
                // what the application's code in the pass needs
            }

            using (var cursor = tx.OpenCursor(data))
            {
                for (var ok = cursor.First(); ok; ok = cursor.Next())
                {
                }
            }

            tx.Put(data, [2], [2]);
            tx.Commit();
        }));

        var pass = await DisposeWhilePassWaitsAsync(db, time, gate, entered);
        var closed = await Assert.ThrowsAsync<TransactionStateException>(() => pass.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(ErrorCode.DatabaseClosed, closed.Code);

        using var reopened = TestDatabases.Open(fs, Options(time));
        using var read = reopened.BeginRead();
        Assert.True(read.TryGetKeyspace("data", out var again));
        Assert.Null(read.Get(again, [1]));
        Assert.Null(read.Get(again, [2]));
    }

    /// <summary>
    /// Runs the application's pass and disposes <paramref name="db"/> on a thread holding <paramref name="gate"/>, which
    /// the pass's code takes once it set <paramref name="entered"/>; moves the clock past the close's limit once its timer
    /// is armed, and returns the pass once the Dispose returned (the close went on without it).
    /// </summary>
    private static async Task<Task<int>> DisposeWhilePassWaitsAsync(Database db, FakeTimeProvider time, Lock gate, ManualResetEventSlim entered)
    {
        var armed = time.ArmedTimers;
        Task<int>? pass = null;
        var disposing = Task.Factory.StartNew(
            () =>
            {
                lock (gate)
                {
                    pass = Task.Run(() => db.CollectExpiredAsync());
                    entered.Wait();
                    db.Dispose(); // waits for the pass, which waits for this thread's lock
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        Assert.True(SpinWait.SpinUntil(() => time.ArmedTimers > armed, TimeSpan.FromMinutes(1))); // the close's limit is set
        Assert.False(disposing.IsCompleted);
        time.Advance(TtlCollector.CloseWaitLimit);
        await disposing.WaitAsync(TimeSpan.FromMinutes(1)); // the close went on without the pass
        return pass!;
    }

    /// <summary>
    /// A registered collection whose first flush starts work it does not wait for, which disposes the database once let
    /// go (<see cref="AssertDisposeClosesAsync"/>): the application's shutdown, say, begun from the collector's flow.
    /// </summary>
    private sealed class OutlivingWork(Database db) : ITtlCollection
    {
        private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task<(bool Inside, bool Closed)>? _work;

        public string Name => "starts-work";

        public bool Started => Volatile.Read(ref _work) is not null;

        public int CollectExpired(int batchSize, DateTimeOffset now) => 0;

        public int FlushAccesses()
        {
            if (_work is null)
            {
                Volatile.Write(ref _work, Task.Run(async () =>
                {
                    await _go.Task.ConfigureAwait(false);
                    var inside = db.Ttl.IsCollectorFlow;
                    db.Dispose();
                    var closed = Assert.Throws<TransactionStateException>(() => db.BeginRead()).Code == ErrorCode.DatabaseClosed;
                    return (inside, closed);
                }));
            }

            return 0;
        }

        /// <summary>Lets the work go, now that what started it ended: its Dispose closes the database before it returns.</summary>
        public async Task AssertDisposeClosesAsync()
        {
            _go.SetResult();
            var (inside, closed) = await _work!.WaitAsync(TimeSpan.FromMinutes(1));
            Assert.False(inside);
            Assert.True(closed); // closed when Dispose returned
        }
    }

    private static DatabaseOptions Options(TimeProvider time, TimeSpan? lifetime = null)
    {
        var options = TestDatabases.Small(time);
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = lifetime ?? TimeSpan.FromSeconds(10), SlidingExpiration = true };
        return options;
    }
}
