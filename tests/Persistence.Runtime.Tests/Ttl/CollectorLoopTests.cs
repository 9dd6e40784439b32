using Persistence.Testing;
using Persistence.Tests.Collections;
using Persistence.Ttl;

namespace Persistence.Tests.Ttl;

/// <summary>
/// The collector's loop (<see cref="TtlCollector.RunAsync"/>, as a host's service runs it) after a pass that fails:
/// it waits its interval before the next, ends once its database is closed, and logs what is not read-only or closing.
/// </summary>
public sealed class CollectorLoopTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A database made read-only by a failed fsync refuses the collector's write transaction at every pass. The loop
    /// did not count a failed pass as a pass, so it started the next at once, and again, a core busy until the process
    /// ended, without a line in the log.
    /// </summary>
    [Fact]
    public async Task A_pass_refused_by_a_read_only_database_waits_the_collector_interval_before_the_next()
    {
        var fs = new SimulatedFileSystem();
        var time = new FakeTimeProvider(Start);
        var options = TestDatabases.Small(time);
        options.Ttl.RunCollectorInBackground = false;
        using var db = TestDatabases.Open(fs, options);
        var passes = new CountingCollection(); // registered first: it counts the passes that then fail on the users
        db.Ttl.Register(passes);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(1) });
        fs.Fault = p => p.Kind == FaultKind.Flush ? new IOException("injected fsync failure") : null;
        Assert.ThrowsAny<PersistenceException>(() => users.Insert(new User { Id = 2, Email = "b@example.com" }));
        Assert.True(db.IsReadOnly);

        var armed = time.ArmedTimers;
        await WhileTheLoopRunsAsync(db, _ =>
        {
            AdvanceWhileItSleeps(time, armed, options.Ttl.SlidingFlushInterval, until: () => Volatile.Read(ref passes.Passes) > 0);

            // After the failed pass the loop sleeps again (a timer armed on the clock), or, before, started pass after pass.
            WaitUntil(() => Volatile.Read(ref passes.Passes) > 1 || time.ArmedTimers > armed, "the loop sleeps after its pass");
            Assert.Equal(1, Volatile.Read(ref passes.Passes));

            // The next pass comes a collector interval after the failed one, not a flush interval.
            for (var slept = TimeSpan.Zero; slept < options.Ttl.CollectorInterval - options.Ttl.SlidingFlushInterval; slept += options.Ttl.SlidingFlushInterval)
            {
                WaitUntil(() => time.ArmedTimers > armed, "the loop sleeps");
                time.Advance(options.Ttl.SlidingFlushInterval);
            }

            WaitUntil(() => time.ArmedTimers > armed || Volatile.Read(ref passes.Passes) > 1, "the loop sleeps");
            Assert.Equal(1, Volatile.Read(ref passes.Passes));
            time.Advance(options.Ttl.SlidingFlushInterval);
            WaitUntil(() => Volatile.Read(ref passes.Passes) > 1, "the second pass");
        });
    }

    /// <summary>
    /// A pass that fails with a <see cref="PersistenceException"/> other than read-only or closed (a document's code
    /// that throws one while it is read back, say), which the loop took for read-only or closing and kept quiet about:
    /// the collection's expired documents were never collected again, and nothing said why. (A stored document that no
    /// longer decodes was such a failure; the collector's delete now removes it, see UndecodableDocumentTests.)
    /// </summary>
    [Fact]
    public async Task A_pass_that_fails_for_another_reason_than_read_only_or_closed_is_logged()
    {
        var time = new FakeTimeProvider(Start);
        var logger = new CapturingLogger();
        var options = HostDriven(time, logger);
        using var db = Database.OpenInMemory(options);
        var passes = new CountingCollection { Throws = new PersistenceSerializationException("a document's code failed while it was read back") };
        db.Ttl.Register(passes);

        await WhileTheLoopRunsAsync(db, _ =>
        {
            AdvanceWhileItSleeps(time, 0, options.Ttl.SlidingFlushInterval, until: () => logger.Has(13));
            Assert.IsType<PersistenceSerializationException>(logger.Entries.First(e => e.Event.Id == 13).Exception);
        });
    }

    /// <summary>
    /// A cancellation the loop did not ask for (a document's code that throws <see cref="OperationCanceledException"/>
    /// while it is read back, say) was taken for the loop's stop: the collector ended for good, while the host ran on,
    /// and nothing said why. It is a failed pass like another: logged, and the loop goes on.
    /// </summary>
    [Fact]
    public async Task A_cancellation_the_loop_did_not_ask_for_is_a_failed_pass()
    {
        var time = new FakeTimeProvider(Start);
        var logger = new CapturingLogger();
        var options = HostDriven(time, logger);
        using var db = Database.OpenInMemory(options);
        var passes = new CountingCollection { Throws = new OperationCanceledException("a document's code") };
        db.Ttl.Register(passes);

        await WhileTheLoopRunsAsync(db, loop =>
        {
            AdvanceWhileItSleeps(time, 0, options.Ttl.SlidingFlushInterval, until: () => Volatile.Read(ref passes.Passes) > 0);
            WaitUntil(() => loop.IsCompleted || time.ArmedTimers > 0, "the loop sleeps after its pass, or ends");
            Assert.False(loop.IsCompleted, "the collector's loop ended while its host ran on");
            Assert.IsType<OperationCanceledException>(logger.Entries.First(e => e.Event.Id == 13).Exception);
        });
    }

    /// <summary>
    /// Intervals longer than a timer takes (about 49 days) are valid settings. The loop slept the whole interval in one
    /// <c>Task.Delay</c>, which refused it: every turn of the loop logged a failed pass and turned again at once.
    /// </summary>
    [Fact]
    public async Task Intervals_longer_than_a_timer_takes_are_slept_in_parts()
    {
        var time = new FakeTimeProvider(Start);
        var logger = new CapturingLogger();
        var options = HostDriven(time, logger);
        options.Ttl.CollectorInterval = TimeSpan.FromDays(60);
        options.Ttl.SlidingFlushInterval = TimeSpan.FromDays(60);
        using var db = Database.OpenInMemory(options);
        var passes = new CountingCollection();
        db.Ttl.Register(passes);

        await WhileTheLoopRunsAsync(db, _ =>
        {
            // Before, the first sleep threw, and the loop logged failure after failure without ever arming a timer.
            AdvanceWhileItSleeps(time, 0, TimeSpan.FromDays(1), until: () => Volatile.Read(ref passes.Passes) > 0 || logger.Has(13));
            Assert.False(logger.Has(13), logger.Entries.FirstOrDefault(e => e.Event.Id == 13).Exception?.ToString());
            Assert.Equal(Start + options.Ttl.CollectorInterval, time.GetUtcNow()); // the pass came when the interval was up
        });
    }

    /// <summary>
    /// Under a host the collector's loop runs until the application stops, and the application may dispose the
    /// database before then. The close stopped and waited for the database's own loop only: a host's loop went on
    /// sleeping after Dispose returned, holding the database and a timer until its next pass found the database closed
    /// (before, until the host stopped), and a pass of it under way ran on while the close closed the files.
    /// </summary>
    [Fact]
    public async Task The_loop_ends_once_its_database_is_closed()
    {
        var time = new FakeTimeProvider(Start);
        var db = Database.OpenInMemory(HostDriven(time));
        db.Ttl.Register(new CountingCollection());
        using var host = new CancellationTokenSource();
        var loop = db.Ttl.RunAsync(host.Token);
        WaitUntil(() => time.ArmedTimers > 0, "the loop sleeps");

        db.Dispose();

        Assert.True(loop.IsCompleted, "the host's loop ran on after the close");
        Assert.Equal(0, time.ArmedTimers);
        await loop;
    }

    /// <summary>A host that starts its loop on a database already closed: the loop slept a whole interval on it first.</summary>
    [Fact]
    public async Task A_hosts_loop_on_a_closed_database_ends_at_once()
    {
        var time = new FakeTimeProvider(Start);
        var db = Database.OpenInMemory(HostDriven(time));
        db.Ttl.Register(new CountingCollection());
        db.Dispose();
        using var host = new CancellationTokenSource();

        var loop = db.Ttl.RunAsync(host.Token);

        Assert.True(loop.IsCompleted, "the loop sleeps on a closed database");
        Assert.Equal(0, time.ArmedTimers);
        await loop;
    }

    /// <summary>
    /// A second host's loop on the same database (a host started again while its first loop still ran) ran beside the
    /// first: two loops, two passes each interval. It waits for the first to end.
    /// </summary>
    [Fact]
    public async Task A_second_hosts_loop_waits_for_the_first_to_end()
    {
        var time = new FakeTimeProvider(Start);
        using var db = Database.OpenInMemory(HostDriven(time));
        db.Ttl.Register(new CountingCollection());
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var firstLoop = db.Ttl.RunAsync(first.Token);
        WaitUntil(() => time.ArmedTimers > 0, "the first loop sleeps");

        var secondLoop = db.Ttl.RunAsync(second.Token);

        Assert.Equal(1, time.ArmedTimers);
        await first.CancelAsync();
        await firstLoop;
        WaitUntil(() => time.ArmedTimers > 0, "the second loop sleeps once the first ended");
        await second.CancelAsync();
        await secondLoop;
    }

    /// <summary>In-memory settings on the fake clock, the database's own loop off: the test runs the loop.</summary>
    private static DatabaseOptions HostDriven(FakeTimeProvider time, CapturingLogger? logger = null)
    {
        var options = new DatabaseOptions { TimeProvider = time, Logger = logger };
        options.Ttl.RunCollectorInBackground = false;
        return options;
    }

    /// <summary>Runs the loop as a host's service does while <paramref name="body"/> drives it, then stops it.</summary>
    private static async Task WhileTheLoopRunsAsync(Database db, Action<Task> body)
    {
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => db.Ttl.RunAsync(stop.Token));
        try
        {
            body(loop);
        }
        finally
        {
            await stop.CancelAsync();
            await loop;
        }
    }

    /// <summary>
    /// Moves the clock by <paramref name="step"/> each time the loop sleeps on it (more timers armed than
    /// <paramref name="armed"/>), until <paramref name="until"/> holds.
    /// </summary>
    private static void AdvanceWhileItSleeps(FakeTimeProvider time, int armed, TimeSpan step, Func<bool> until)
    {
        for (var steps = 0; ; steps++)
        {
            Assert.True(steps < 1_000, "the awaited condition did not come in 1,000 steps of the clock");
            WaitUntil(() => time.ArmedTimers > armed || until(), "the loop sleeps, or is done");
            if (until())
            {
                return;
            }

            time.Advance(step);
        }
    }

    /// <summary>Waits, bounded on a busy machine (not a timing), for the loop to reach a state.</summary>
    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited 30 s for this: {what}");
            Thread.Sleep(1);
        }
    }

    private sealed class CountingCollection : ITtlCollection
    {
        public int Passes;

        /// <summary>Thrown by every pass, when set.</summary>
        public Exception? Throws { get; init; }

        public string Name => "counting";

        public int CollectExpired(int batchSize, DateTimeOffset now)
        {
            Interlocked.Increment(ref Passes);
            return Throws is null ? 0 : throw Throws;
        }

        public int FlushAccesses() => 0;
    }
}
