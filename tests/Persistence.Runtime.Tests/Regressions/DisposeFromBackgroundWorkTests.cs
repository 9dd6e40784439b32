using System.Diagnostics.Metrics;
using Persistence.Testing;
using Persistence.Tests.Collections;
using Persistence.Ttl;
using Persistence.Wal;

namespace Persistence.Tests.Regressions;

/// <summary>
/// Dispose called from inside work that the close waits for used to deadlock: the close joined the checkpointer's
/// thread from that thread, waited for the expiry collector's loop from inside the loop, for the log's segment
/// preparation from inside it, or for the commits in flight from inside one. The application's code runs there as a
/// logger, a metrics listener or a document's code. Dispose now returns at once, and the close finishes once that work
/// unwinds: the files close exactly once, and what was committed survives a power failure after it.
/// </summary>
public sealed class DisposeFromBackgroundWorkTests
{
    private const string DataFile = "/sim/dispose-background.db";
    private const string CheckpointerThread = "Persistence checkpointer";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Dispose_from_a_logger_on_the_checkpointer_thread_returns_and_the_close_completes()
    {
        var fs = new SimulatedFileSystem();
        var options = BackgroundCheckpoints();
        var logger = new DisposingLogger(disposeOn: 3, when: () => Thread.CurrentThread.Name == CheckpointerThread); // checkpointed
        options.Logger = logger;
        var db = TestDatabases.Open(fs, options, DataFile);
        logger.Target = db;
        new UserCollection(db).InsertMany(Enumerable.Range(1, 200).Select(i => DisposeRaceTests.Expected(i)));

        Assert.True(logger.Returned.Wait(HangGuard), "Dispose on the checkpointer thread never returned: the close waited for its own thread");
        await AssertClosedOnceAndDurable(db, fs, logger.Captured, expected: 200);
    }

    [Fact]
    public async Task Dispose_from_a_metrics_listener_on_the_checkpointer_thread_returns_and_the_close_completes()
    {
        var fs = new SimulatedFileSystem();
        var options = BackgroundCheckpoints();
        var captured = new CapturingLogger();
        options.Logger = captured;
        Database? target = null;
        var fired = 0;
        using var returned = new ManualResetEventSlim();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "persistence.checkpoint.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            if (Thread.CurrentThread.Name != CheckpointerThread || Volatile.Read(ref target) is not { } db)
            {
                return;
            }

            foreach (var tag in tags)
            {
                if (tag.Key == "db.path" && Equals(tag.Value, DataFile) && Interlocked.Exchange(ref fired, 1) == 0)
                {
                    db.Dispose();
                    returned.Set();
                }
            }
        });
        listener.Start();
        var db = TestDatabases.Open(fs, options, DataFile);
        Volatile.Write(ref target, db);
        new UserCollection(db).InsertMany(Enumerable.Range(1, 200).Select(i => DisposeRaceTests.Expected(i)));

        Assert.True(returned.Wait(HangGuard), "Dispose on the checkpointer thread never returned: the close waited for its own thread");
        await AssertClosedOnceAndDurable(db, fs, captured, expected: 200);
    }

    [Fact]
    public async Task Dispose_from_a_logger_in_the_expiry_collectors_loop_returns_and_the_close_completes()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small();
        options.Ttl.CollectorInterval = TimeSpan.FromMilliseconds(20);
        var logger = new DisposingLogger(disposeOn: 10); // expired documents collected: only the collector's loop logs it here
        options.Logger = logger;
        var db = TestDatabases.Open(fs, options, DataFile);
        logger.Target = db;
        var users = new UserCollection(db); // starts the collector's loop
        var past = DateTimeOffset.UtcNow.AddHours(-1);
        users.InsertMany(Enumerable.Range(1, 100).Select(i =>
        {
            var user = DisposeRaceTests.Expected(i);
            user.ExpiresAt = i % 2 == 0 ? past : null;
            return user;
        }));

        Assert.True(logger.Returned.Wait(HangGuard), "Dispose in the collector's loop never returned: the close waited for the loop it ran in");
        await AssertClosedOnceAndDurable(db, fs, logger.Captured, expected: 50);
    }

    [Fact]
    public async Task Dispose_from_a_collection_pass_in_the_expiry_collectors_loop_returns_and_the_close_completes()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small();
        options.Ttl.CollectorInterval = TimeSpan.FromMilliseconds(20);
        var captured = new CapturingLogger();
        options.Logger = captured;
        var db = TestDatabases.Open(fs, options, DataFile);
        new UserCollection(db).InsertMany(Enumerable.Range(1, 100).Select(i => DisposeRaceTests.Expected(i)));
        var disposing = new DisposingCollection(db);
        db.Ttl.Register(disposing); // its pass runs in the collector's own loop, without logging

        Assert.True(disposing.Returned.Wait(HangGuard), "Dispose in the collector's loop never returned: the close waited for the loop it ran in");
        await AssertClosedOnceAndDurable(db, fs, captured, expected: 100);
    }

    [Fact]
    public async Task Dispose_from_a_logger_on_a_failed_segment_preparation_returns_and_the_close_completes()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Quiet(); // 64 KiB log segments, and no checkpoint to recycle one as a spare (which is renamed, not written)
        options.BackgroundWork = true; // segments prepared in the background (no checkpoint is due with Quiet's limits)
        var logger = new DisposingLogger(disposeOn: 5); // read-only: logged once, by the failed preparation
        options.Logger = logger;

        // Segment 2 is prepared in the background once the log starts writing segment 1, so the failure cannot come
        // before the writes below have begun (segment 1 is prepared as soon as the first commit writes segment 0).
        fs.Fault = point => point.Kind == FaultKind.Write && point.Path.EndsWith(WalSegments.NameOf(2), StringComparison.Ordinal)
            ? new IOException("Simulated failure preparing the next log segment.")
            : null;
        var db = TestDatabases.Open(fs, options, DataFile);
        logger.Target = db;
        new UserCollection(db).InsertMany(Enumerable.Range(1, 300).Select(i => DisposeRaceTests.Expected(i))); // about 90 KB of log

        Assert.True(logger.Returned.Wait(HangGuard), "Dispose on the segment preparation's thread never returned: the close waited for that preparation");
        Assert.True(db.IsReadOnly);
        fs.Fault = null;
        await AssertClosedOnceAndDurable(db, fs, logger.Captured, expected: 300);
    }

    /// <summary>
    /// A failed fsync makes the database read-only and is logged as critical on the thread of the commit that led the
    /// batch, which is in flight: the close drains the commits in flight, so it used to spin forever on that thread.
    /// </summary>
    [Fact]
    public async Task Dispose_from_a_logger_in_a_commit_whose_sync_failed_returns_and_the_close_completes()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Quiet();
        options.BackgroundWork = false;
        var committing = 0;
        var logger = new DisposingLogger(disposeOn: 5, when: () => Environment.CurrentManagedThreadId == Volatile.Read(ref committing));
        options.Logger = logger;
        var db = TestDatabases.Open(fs, options, DataFile);
        logger.Target = db;
        var users = new UserCollection(db);
        users.InsertMany(Enumerable.Range(1, 10).Select(i => DisposeRaceTests.Expected(i)));
        fs.Fault = point => point.Kind == FaultKind.Flush && point.Path.EndsWith(WalSegments.Extension, StringComparison.Ordinal)
            ? new IOException("Simulated fsync failure.")
            : null;

        var commit = TestDatabases.Dedicated(() =>
        {
            Volatile.Write(ref committing, Environment.CurrentManagedThreadId);
            users.Insert(DisposeRaceTests.Expected(11));
        });
        Assert.True(logger.Returned.Wait(HangGuard), "Dispose in a commit never returned: the close waited for the commit it ran in");
        Assert.IsAssignableFrom<PersistenceException>(await Record.ExceptionAsync(() => commit.WaitAsync(HangGuard)));
        fs.Fault = null;
        await AssertClosedOnceAndDurable(db, fs, logger.Captured, expected: 10);
    }

    /// <summary>
    /// A metrics listener runs on the thread that records: the commit's own, while the commit is in flight, for the
    /// commit counter and its duration, and the leader's for the batch size. A Dispose there waited for the commits in
    /// flight, its own among them.
    /// </summary>
    [Theory]
    [InlineData("persistence.commits")]
    [InlineData("persistence.commit.duration")]
    [InlineData("persistence.wal.batch_size")]
    public async Task Dispose_from_a_metrics_listener_in_a_commit_returns_and_the_close_completes(string instrumentName)
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Quiet();
        var captured = new CapturingLogger();
        options.Logger = captured;
        var committing = 0;
        Database? target = null;
        var fired = 0;
        using var returned = new ManualResetEventSlim();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == instrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void OnMeasurement(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (Environment.CurrentManagedThreadId != Volatile.Read(ref committing) || Volatile.Read(ref target) is not { } db)
            {
                return;
            }

            foreach (var tag in tags)
            {
                if (tag.Key == "db.path" && Equals(tag.Value, DataFile) && Interlocked.Exchange(ref fired, 1) == 0)
                {
                    db.Dispose();
                    returned.Set();
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => OnMeasurement(tags));
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => OnMeasurement(tags));
        listener.SetMeasurementEventCallback<int>((_, _, tags, _) => OnMeasurement(tags));
        listener.Start();
        var db = TestDatabases.Open(fs, options, DataFile);
        Volatile.Write(ref target, db);
        var users = new UserCollection(db);
        users.InsertMany(Enumerable.Range(1, 10).Select(i => DisposeRaceTests.Expected(i)));

        var commit = TestDatabases.Dedicated(() =>
        {
            Volatile.Write(ref committing, Environment.CurrentManagedThreadId);
            users.Insert(DisposeRaceTests.Expected(11));
        });
        Assert.True(returned.Wait(HangGuard), "Dispose in a metrics listener never returned: the close waited for the commit it ran in");
        await commit.WaitAsync(HangGuard); // acknowledged before the close drained it
        await AssertClosedOnceAndDurable(db, fs, captured, expected: 11);
    }

    /// <summary>Small options with a background checkpoint soon after the writes.</summary>
    private static DatabaseOptions BackgroundCheckpoints()
    {
        var options = TestDatabases.Small();
        options.CheckpointInterval = TimeSpan.FromMilliseconds(20);
        return options;
    }

    private static async Task AssertClosedOnceAndDurable(Database db, SimulatedFileSystem fs, CapturingLogger log, int expected)
    {
        await db.DisposeAsync().AsTask().WaitAsync(HangGuard); // waits for the close that the hook started
        db.Dispose(); // closed already: returns at once
        Assert.Equal(0, fs.OpenHandles(DataFile));
        Assert.Single(log.Entries, e => e.Event.Id == 8); // closed once

        using var reopened = TestDatabases.Open(fs.AfterCrash(CrashMode.DropUnsynced, new Random(1)), TestDatabases.Small(), DataFile);
        Assert.Equal(expected, new UserCollection(reopened).Count());
        TestDatabases.AssertConsistent(reopened);
    }

    /// <summary>A collection whose first expiry pass disposes the database, from inside the collector's loop.</summary>
    private sealed class DisposingCollection(Database database) : ITtlCollection
    {
        private int _passes;

        public ManualResetEventSlim Returned { get; } = new();

        public string Name => "disposing";

        public int CollectExpired(int batchSize, DateTimeOffset now)
        {
            if (Interlocked.Increment(ref _passes) == 1)
            {
                database.Dispose();
                Returned.Set();
            }

            return 0;
        }

        public int FlushAccesses() => 0;
    }
}
