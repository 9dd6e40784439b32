using Persistence.Collections;
using Persistence.Testing;
using Persistence.Tests.Collections;
using Persistence.Ttl;

namespace Persistence.Tests.Ttl;

/// <summary>
/// The close's write of the sliding-expiration reads not flushed yet (<c>TtlCollector.StopAsync</c>) against a
/// collector pass under way: a host's or the application's <see cref="Database.CollectExpiredAsync"/>, which the close
/// does not stop. The races are forced with collections of the test's own registered beside the users (the collector
/// visits collections in the order they registered) and with a schema that pauses the close's flush where it decodes a document.
/// </summary>
public sealed class CloseFlushTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The close's flush took no pass lock: it began its transaction while a pass was under way, the pass then wrote
    /// the user's earlier read (15 s), and a read of it during the pass (at 6 s, alive until 16 s) came into the
    /// close's flush, whose transaction, older than the pass's write, lost its conflict check and wrote nothing. The
    /// close went on, and the reopened database expired the user a second early. The close now waits for the pass.
    /// </summary>
    [Fact]
    public async Task A_close_during_a_collector_pass_writes_the_reads_the_pass_did_not()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, Options(time));
        var gate = new GateCollection("gate"); // visited first: holds the pass before the users
        db.Ttl.Register(gate);
        var inClose = new AsyncLocal<bool>();
        Action? onDecodeInClose = null;
        var users = new HookedUsers(db, () =>
        {
            if (inClose.Value)
            {
                Interlocked.Exchange(ref onDecodeInClose, null)?.Invoke();
            }
        });
        var reader = new FirstFlushRuns("reader", () =>
        {
            time.SetUtcNow(Start + TimeSpan.FromSeconds(6));
            Assert.NotNull(users.Get(1)); // after the pass wrote the read at 5 s: alive until 16 s
        });
        db.Ttl.Register(reader); // visited after the users: reads once the pass wrote theirs
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(1)); // alive until 15 s once written

        var pass = Task.Run(() => db.CollectExpiredAsync());
        gate.Entered.Wait();

        // The close's flush pauses inside its transaction (at its decode of the user), lets the pass run to its end, and
        // goes on. With the pass lock it begins after the pass: the pause finds the pass done.
        var paused = false;
        onDecodeInClose = () =>
        {
            paused = true;
            gate.Release.Set();
            Task.WhenAny(pass).GetAwaiter().GetResult(); // waits for the pass, which the close cuts short (it fails)
        };
        inClose.Value = true; // flows into the close, wherever it runs
        var closing = db.DisposeAsync();
        inClose.Value = false;
        gate.Release.Set(); // the close waits for the pass: let it go on
        await closing;
        await AssertClosedAsync(pass); // cut short by the close
        Assert.True(paused); // the close's flush decoded the user

        using var reopened = TestDatabases.Open(fs, Options(time));
        var again = new UserCollection(reopened);
        time.SetUtcNow(Start + TimeSpan.FromSeconds(15.5));
        Assert.True(again.Contains(1)); // read at 6 s: alive until 16 s (Contains does not slide)
        time.SetUtcNow(Start + TimeSpan.FromSeconds(16));
        Assert.False(again.Contains(1));
        Assert.Empty(again.CheckConsistency());
    }

    /// <summary>
    /// Now that the close waits for a pass, a disposal from inside one (a document's code, or a collection's, in a pass a
    /// host runs) must not wait for the close, as from inside the collector's own loop: it returns at once, the pass goes
    /// on and writes the reads, and the close ends after it. (The hang guard only turns a deadlock into a failure.)
    /// </summary>
    [Fact]
    public async Task A_dispose_from_inside_a_pass_returns_and_the_close_ends_after_the_pass()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, Options(time));
        var disposing = new FirstFlushRuns("disposing", db.Dispose); // visited first
        db.Ttl.Register(disposing);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(1)); // alive until 15 s once written

        // The close the disposal started runs elsewhere, and may begin before the pass ends (which it then cuts short) or after.
        var pass = Task.Run(() => db.CollectExpiredAsync()).WaitAsync(TimeSpan.FromMinutes(1));
        await Task.WhenAny(pass);
        if (pass.IsCompletedSuccessfully)
        {
            Assert.Equal(0, await pass);
        }
        else
        {
            await AssertClosedAsync(pass);
        }

        await db.DisposeAsync(); // the close the pass started

        using var reopened = TestDatabases.Open(fs, Options(time));
        var again = new UserCollection(reopened);
        time.SetUtcNow(Start + TimeSpan.FromSeconds(14.9));
        Assert.True(again.Contains(1)); // the pass wrote the read after the disposal returned
        time.SetUtcNow(Start + TimeSpan.FromSeconds(15));
        Assert.False(again.Contains(1));
    }

    /// <summary>
    /// The close waits for a pass under way, which stops collecting at its next batch once the close began (the
    /// documents it leaves are expired, hence invisible, and the next open's passes collect them): the close does not
    /// wait for a backlog of batches. The pass still writes the reads it flushes before its batches.
    /// </summary>
    [Fact]
    public async Task A_pass_under_way_when_the_close_begins_collects_no_further_batch()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var options = Options(time);
        options.Ttl.BatchSize = 1;
        var db = TestDatabases.Open(fs, options);
        var gate = new GateCollection("gate"); // visited first: holds the pass before the users
        db.Ttl.Register(gate);
        var users = new UserCollection(db);
        for (var id = 1; id <= 3; id++)
        {
            users.Insert(new User { Id = id, Email = $"{id}@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(1) });
        }

        users.Insert(new User { Id = 4, Email = "4@example.com" }); // expires at 10 s unless read
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(4)); // alive until 15 s once written

        var pass = Task.Run(() => db.CollectExpiredAsync());
        gate.Entered.Wait();
        var closing = db.DisposeAsync(); // waits for the pass
        gate.Release.Set();
        await closing;
        await AssertClosedAsync(pass); // it collected none: cut short, not done

        using var reopened = TestDatabases.Open(fs, Options(time));
        var again = new UserCollection(reopened);
        using (var raw = reopened.BeginRead())
        {
            Assert.Equal(4, raw.Count(raw.GetKeyspace("users"))); // the three expired users are still stored
        }

        time.SetUtcNow(Start + TimeSpan.FromSeconds(14.9));
        Assert.True(again.Contains(4)); // the pass wrote the read before it stopped
        Assert.All([1, 2, 3], id => Assert.False(again.Contains(id))); // expired, though stored
    }

    /// <summary>
    /// A pass the application runs pauses after each full batch on the database's clock, with the application's token
    /// alone: the close, which waits for the pass, waited for the pause too, and on a clock that does not move (a test's
    /// fake one) for ever. The close now cuts the pause short, and the pass reports the close (the hang guard only
    /// turns a deadlock into a failure).
    /// </summary>
    [Fact]
    public async Task A_close_cuts_short_the_pause_of_a_pass_under_way()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var options = Options(time);
        options.Ttl.MaxCollectorShare = 0.5; // pauses as long as the batch took: a second
        var db = TestDatabases.Open(fs, options);
        var batches = new FullBatches("batches", time);
        db.Ttl.Register(batches);

        var pass = Task.Run(() => db.CollectExpiredAsync());
        batches.Entered.Wait();
        var closing = db.DisposeAsync().AsTask();
        batches.Release.Set(); // the batch ends, a second later on the clock: the pass pauses for a second
        await closing.WaitAsync(TimeSpan.FromMinutes(1));
        await AssertClosedAsync(pass);
        Assert.Equal(1, batches.Batches); // no batch after the close began
    }

    /// <summary>A pass the close cut short fails as one begun after the close, rather than report what it did as all there was.</summary>
    private static async Task AssertClosedAsync(Task<int> pass)
    {
        var closed = await Assert.ThrowsAsync<TransactionStateException>(() => pass);
        Assert.Equal(ErrorCode.DatabaseClosed, closed.Code);
    }

    private static DatabaseOptions Options(TimeProvider time)
    {
        var options = TestDatabases.Small(time);
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        return options;
    }

    /// <summary>A collection of nothing whose first flush signals <see cref="Entered"/> and waits for <see cref="Release"/>.</summary>
    private sealed class GateCollection(string name) : ITtlCollection
    {
        private int _flushes;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public string Name => name;

        public int CollectExpired(int batchSize, DateTimeOffset now) => 0;

        public int FlushAccesses()
        {
            if (Interlocked.Increment(ref _flushes) == 1)
            {
                Entered.Set();
                Release.Wait();
            }

            return 0;
        }
    }

    /// <summary>
    /// A collection whose every batch is full: its first waits for <see cref="Release"/> once <see cref="Entered"/>,
    /// and each takes a second on <paramref name="time"/>.
    /// </summary>
    private sealed class FullBatches(string name, FakeTimeProvider time) : ITtlCollection
    {
        private int _batches;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public int Batches => Volatile.Read(ref _batches);

        public string Name => name;

        public int CollectExpired(int batchSize, DateTimeOffset now)
        {
            if (Interlocked.Increment(ref _batches) == 1)
            {
                Entered.Set();
                Release.Wait();
            }

            time.Advance(TimeSpan.FromSeconds(1));
            return batchSize;
        }

        public int FlushAccesses() => 0;
    }

    /// <summary>"users" whose schema calls <paramref name="onDecode"/> on every document it decodes.</summary>
    private sealed class HookedUsers(Database database, Action onDecode)
        : Collection<User, long>(database, new HookedUserSchema(expires: true, UserSchema.Instance.Indexes, onDecode));
}
