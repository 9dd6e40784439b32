using Microsoft.Extensions.Logging;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Ttl;

/// <summary>
/// The sliding-expiration tracker created while a commit of its keyspace reports its writes, forced with a hook: the
/// same interleaving as the hot cache's creation race (<see cref="HotCacheRaceTests"/>).
/// </summary>
public sealed class TrackerCreationRaceTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A commit reports its writes to the observers registered when it reads them, before its version is linked. The
    /// tracker created in between (the first instance of the collection constructed while a raw write commits) hears
    /// nothing of that commit, so its floor must not be older than the commit's version: otherwise a read of the version
    /// the commit replaced, from a snapshot older than it, is taken for a read of the written version, and keeps the
    /// written document alive past its expiry though nobody read it. (The floor was the latest version linked, read
    /// while the commit was between its reports and its link.)
    /// </summary>
    [Fact]
    public async Task A_tracker_created_while_a_commit_reports_its_writes_counts_no_read_of_what_that_commit_replaced()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        using (var first = TestDatabases.Open(fs, Options(time)))
        {
            new UserCollection(first).Insert(new User { Id = 1, Email = "a@example.com", Name = "v1" }); // expires at 10 s
        }

        using var db = TestDatabases.Open(fs, Options(time));
        time.Advance(TimeSpan.FromSeconds(8)); // the snapshot opened before the write reads at 8 s
        var (users, old) = await CommitInReports.ConstructWhileACommitReports(db);
        using var _ = old;

        Assert.Equal("v1", users.Get(1, old)!.Name); // a read of the version the write replaced

        time.Advance(TimeSpan.FromSeconds(4)); // 12 s: past v2's expiry; nobody read v2
        Assert.False(users.Contains(1));
    }

    /// <summary>
    /// The application's logger runs under the sequencer's lock when a commit fails there (the database turns
    /// read-only), and a logger that constructs the collection then waited for the collector's lock, which the first
    /// construction held while it waited for the sequencer's lock to read the tracker's floor: neither returned. The
    /// failure is forced with a write observer that throws once that construction waits.
    /// </summary>
    /// <remarks>
    /// The hot cache's first construction read its baseline the same way, under the database's lock of hot caches
    /// (<paramref name="hotCache"/>).
    /// </remarks>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_logger_that_constructs_the_collection_under_the_sequencers_lock_does_not_deadlock_the_first_construction(bool hotCache)
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        using (var created = TestDatabases.Open(fs, Options(time, hotCache)))
        {
            new UserCollection(created).Insert(new User { Id = 1, Email = "a@example.com" });
        }

        var logger = new ConstructingLogger();
        var options = Options(time, hotCache);
        options.Logger = logger;
        var db = TestDatabases.Open(fs, options); // left open if they deadlock: the close would wait for the stuck commit
        logger.Target = db;
        Keyspace documents;
        using (var read = db.BeginRead())
        {
            documents = read.GetKeyspace("users");
        }

        using var reporting = new ManualResetEventSlim();
        Thread? constructing = null;
        db.ObserveWrites(documents, (_, _) =>
        {
            reporting.Set();
            while (Volatile.Read(ref constructing) is not { } thread || (thread.IsAlive && (thread.ThreadState & ThreadState.WaitSleepJoin) == 0))
            {
                Thread.Yield();
            }

            logger.Armed = true;
            throw new StorageException(ErrorCode.IOError, "The observer fails the commit.");
        });
        var writer = new Thread(() => Assert.Throws<StorageException>(() => db.Write(tx => tx.Put(tx.GetKeyspace("users"), [1], [1])))) { IsBackground = true };
        writer.Start();
        Assert.True(reporting.Wait(TimeSpan.FromMinutes(1)));

        var first = new Thread(() => _ = new UserCollection(db)) { IsBackground = true }; // creates the tracker
        first.Start();
        Volatile.Write(ref constructing, first); // started: the observer waits until it waits or is done

        Assert.True(writer.Join(TimeSpan.FromMinutes(1)), "The failed commit's logger never returned.");
        Assert.True(first.Join(TimeSpan.FromMinutes(1)), "The first construction never returned.");
        Assert.True(logger.Constructed);
        Assert.True(db.IsReadOnly);
        db.Dispose();
    }

    /// <summary>Constructs the collection from the first event it is given once armed.</summary>
    private sealed class ConstructingLogger : ILogger
    {
        private int _armed;

        public Database? Target { get; set; }

        public bool Armed
        {
            set => Volatile.Write(ref _armed, value ? 1 : 0);
        }

        public bool Constructed { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Target is { } database && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                _ = new UserCollection(database);
                Constructed = true;
            }
        }
    }

    private static DatabaseOptions Options(TimeProvider time, bool hotCache = false)
    {
        var options = TestDatabases.Small(time);
        options.Ttl.RunCollectorInBackground = false;
        if (hotCache)
        {
            options.Collections["users"] = new CollectionOptions { HotCacheMaxCount = 8 };
            return options;
        }

        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        return options;
    }
}
