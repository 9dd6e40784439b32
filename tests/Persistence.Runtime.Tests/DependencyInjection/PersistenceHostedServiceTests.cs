using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Persistence.Collections;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.DependencyInjection;

/// <summary>
/// Under a host the database opens at start and, once every hosted service has stopped, shuts down in order: drain
/// open write transactions, final checkpoint, close. Each step is logged.
/// </summary>
public sealed class PersistenceHostedServiceTests
{
    private readonly SimulatedFileSystem _fs = new();
    private readonly CapturingLogger _logger = new();

    [Fact]
    public async Task Opens_at_start_and_closes_after_the_application_with_a_final_checkpoint()
    {
        // Registered before AddPersistence, so it stops after the database's StopAsync would run: its last write must still land.
        using var host = Build(services => services.AddSingleton<IHostedService>(static provider => new WritesWhenStopping(provider)));
        await host.StartAsync();
        Assert.True(_logger.Has(102)); // opened at start, before anything resolved it
        var database = host.Services.GetRequiredService<Database>();
        host.Services.GetRequiredService<UserCollection>().Insert(User(1));

        await host.StopAsync();

        var steps = _logger.Entries.Select(e => e.Event.Id).Where(id => id is 103 or 104 or 105 or 8 or 107).ToList();
        Assert.Equal([103, 105, 8, 107], steps); // shutdown started, final checkpoint, closed (engine), done
        Assert.Throws<TransactionStateException>(() => database.BeginRead());
        using var reopened = TestServices.Reopen(_fs);
        Assert.Equal(0, reopened.Recovered!.Commits); // nothing to replay: the final checkpoint ran
        Assert.Equal([1L, 2], new UserCollection(reopened).All().Select(u => u.Id));
    }

    /// <summary>
    /// A host built and never run (a tool that uses the host for its configuration and services only): the database
    /// turned its own collector off for a hosted one that never started, so nothing removed expired documents.
    /// </summary>
    [Fact]
    public async Task A_host_built_and_never_run_still_collects_expired_documents()
    {
        var time = new FakeTimeProvider();
        using var host = Build(services => services.AddSingleton<TimeProvider>(time));
        var users = host.Services.GetRequiredService<UserCollection>(); // opens the database: the host never starts
        users.Insert(new User { Id = 1, Email = "short@example.com", ExpiresAt = time.GetUtcNow() + TimeSpan.FromSeconds(1) });
        users.Insert(new User { Id = 2, Email = "long@example.com", ExpiresAt = time.GetUtcNow() + TimeSpan.FromDays(1) });

        // The loop sleeps on the fake clock: move it past the collector interval until it has collected, for at most a
        // minute (a loaded machine may starve the thread pool for seconds; the clock stays short of the other's day).
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (users.Database.GetStatistics().ExpiredCollected == 0 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            time.Advance(TimeSpan.FromSeconds(11));
            await Task.Delay(20);
        }

        Assert.Equal(1, users.Database.GetStatistics().ExpiredCollected);
        Assert.Equal([2L], users.All().Select(u => u.Id));
        Assert.False(users.Database.Ttl.IsHostDriven);
    }

    [Fact]
    public async Task Shutdown_waits_for_open_write_transactions()
    {
        using var host = Build();
        var (users, tx, stopping) = await StopWhileWritingAsync(host);
        tx.Commit();
        tx.Dispose();
        await stopping;

        Assert.False(_logger.Has(104));
        using var reopened = TestServices.Reopen(_fs);
        Assert.Equal(0, reopened.Recovered!.Commits);
        Assert.True(new UserCollection(reopened).Contains(7));
    }

    /// <summary>
    /// The drain polled on the database's clock: under a container's fake clock, which a test moves by hand, the poll
    /// never woke, and the stop waited the whole shutdown timeout after the last writer was done.
    /// </summary>
    [Fact]
    public async Task The_drain_ends_when_the_writers_are_done_whatever_the_containers_clock()
    {
        using var host = Build(services => services
            .AddSingleton<TimeProvider>(new FakeTimeProvider())
            .Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromHours(1)));
        var (_, tx, stopping) = await StopWhileWritingAsync(host);
        tx.Commit();
        tx.Dispose();

        await stopping.WaitAsync(TimeSpan.FromSeconds(30)); // a bound on a busy machine, far below the shutdown timeout
        Assert.False(_logger.Has(104));
        using var reopened = TestServices.Reopen(_fs);
        Assert.True(new UserCollection(reopened).Contains(7));
    }

    [Fact]
    public async Task A_transaction_left_open_past_the_shutdown_deadline_is_rolled_back()
    {
        using var host = Build(services => services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200)));
        await host.StartAsync();
        var users = host.Services.GetRequiredService<UserCollection>();
        users.Insert(User(1));
        using var leaked = users.Database.BeginWrite();
        users.Insert(User(2), leaked);

        await host.StopAsync();

        Assert.True(_logger.Has(104));
        using var reopened = TestServices.Reopen(_fs);
        Assert.Equal([1L], new UserCollection(reopened).All().Select(u => u.Id));
    }

    /// <summary>
    /// The shutdown's drain polls the statistics while write transactions are open: an application that disposed the
    /// database meanwhile made the poll throw DatabaseClosed out of the host's stop.
    /// </summary>
    [Fact]
    public async Task A_database_the_application_disposes_while_shutdown_drains_it_ends_the_shutdown_quietly()
    {
        using var host = Build();
        var (users, tx, stopping) = await StopWhileWritingAsync(host);
        users.Database.Dispose();
        await stopping;

        Assert.True(_logger.Has(103)); // shutdown started
        Assert.Throws<TransactionStateException>(() => tx.Commit());
        tx.Dispose();
    }

    /// <summary>
    /// A repository used after the host stopped, resolved from a scope before the stop or for the first time after it,
    /// fails with the typed DatabaseClosed, not an ObjectDisposedException of the engine's internals or a hang, and
    /// so does one used after the host was disposed. A guard: it passes on the current code.
    /// </summary>
    [Fact]
    public async Task A_repository_used_after_the_host_stopped_fails_with_database_closed()
    {
        using (var unresolved = Build())
        {
            await unresolved.StartAsync();
            await unresolved.StopAsync();
            using var late = unresolved.Services.CreateScope(); // the collection is first built after the stop
            var error = Assert.Throws<TransactionStateException>(() => late.ServiceProvider.GetRequiredService<IRepository<User, long>>());
            Assert.Equal(ErrorCode.DatabaseClosed, error.Code);
        }

        var host = Build();
        await host.StartAsync();
        using var scope = host.Services.CreateScope();
        var held = scope.ServiceProvider.GetRequiredService<IRepository<User, long>>();
        held.Insert(User(1));
        await host.StopAsync();

        Assert.Equal(ErrorCode.DatabaseClosed, Assert.Throws<TransactionStateException>(() => held.Get(1)).Code);
        Assert.Equal(ErrorCode.DatabaseClosed, (await Assert.ThrowsAsync<TransactionStateException>(() => held.InsertAsync(User(2)))).Code);
        host.Dispose();
        host.Dispose(); // twice: a no-op
        Assert.Equal(ErrorCode.DatabaseClosed, Assert.Throws<TransactionStateException>(() => held.Get(1)).Code);
    }

    /// <summary>
    /// A stop whose deadline has passed already (its token cancelled) while writers commit in a loop: the stop returns
    /// without throwing, each writer's next commit fails with DatabaseClosed, and the file reopens consistent with every
    /// acknowledged commit. A guard: it passes on the current code, and fails when the stop leaves the database open.
    /// </summary>
    [Fact]
    public async Task A_stop_past_its_deadline_while_commits_are_in_flight_closes_the_database_keeping_every_acknowledged_commit()
    {
        using var host = Build(); // disposed on a failure too, which ends the writers
        await host.StartAsync();
        var users = host.Services.GetRequiredService<UserCollection>();
        var committed = new System.Collections.Concurrent.ConcurrentBag<long>();
        var writers = Enumerable.Range(1, 3).Select(writer => Task.Run(async () =>
        {
            for (var id = writer * 1_000_000L; ; id++)
            {
                try
                {
                    await users.InsertAsync(User(id));
                }
                catch (TransactionStateException ex)
                {
                    return ex.Code;
                }

                committed.Add(id);
            }
        })).ToList();
        Assert.True(SpinWait.SpinUntil(() => committed.Count >= 30, TimeSpan.FromSeconds(60)), "the writers commit");

        await host.StopAsync(new CancellationToken(canceled: true));

        Assert.Equal(ErrorCode.DatabaseClosed, Assert.Throws<TransactionStateException>(() => users.Database.BeginRead()).Code);
        Assert.All(await Task.WhenAll(writers), code => Assert.Equal(ErrorCode.DatabaseClosed, code));
        host.Dispose();
        using var reopened = TestServices.Reopen(_fs);
        Assert.True(reopened.CheckConsistency().IsConsistent);
        var stored = new UserCollection(reopened).All().Select(u => u.Id).ToHashSet();
        Assert.All(committed, id => Assert.Contains(id, stored));
    }

    /// <summary>
    /// A final checkpoint that threw something other than a PersistenceException (here the application's logger,
    /// which the checkpoint calls) skipped the database's close, files and lock held until the process ended; and of
    /// two databases failing, only the first one's error reached the host.
    /// </summary>
    [Fact]
    public async Task Every_database_is_closed_whatever_its_shutdown_throws_and_every_failure_reaches_the_host()
    {
        var failing = new FailsOnCheckpointed();
        var (host, main, cache) = await StartTwoAsync(failing);
        using var stopped = host;
        host.Services.GetRequiredService<UserCollection>().Insert(User(1));
        new UserCollection(cache).Insert(User(2));
        failing.Armed = true;

        var error = await Assert.ThrowsAsync<AggregateException>(() => host.StopAsync());

        Assert.Equal(2, error.InnerExceptions.Count);
        Assert.Equal(
            ["injected at /sim/app.db", "injected at /sim/cache.db"],
            error.Flatten().InnerExceptions.Select(e => Assert.IsType<InvalidOperationException>(e).Message).Order(StringComparer.Ordinal));
        Assert.Equal(2, _logger.Entries.Count(e => e.Event.Id == 109)); // each failure logged with its database
        Assert.Throws<TransactionStateException>(() => main.BeginRead()); // closed all the same
        Assert.Throws<TransactionStateException>(() => cache.BeginRead());
        using var reopened = TestServices.Reopen(_fs); // the lock was released; the log keeps the commit
        Assert.Equal([1L], new UserCollection(reopened).All().Select(u => u.Id));
        using var reopenedCache = TestServices.Reopen(_fs, "/sim/cache.db");
        Assert.Equal([2L], new UserCollection(reopenedCache).All().Select(u => u.Id));
    }

    /// <summary>
    /// A logger that throws on the shutdown's own events, the failure's log (109) among them: the exception of the
    /// failure's log escaped the database's shutdown in place of the failure it reported, and the side-by-side
    /// shutdowns' await let only the first database's through, so the host never saw the other database's failure.
    /// </summary>
    [Fact]
    public async Task A_logger_that_throws_on_the_failure_log_loses_no_database_failure()
    {
        var failing = new FailsOnCheckpointed { Events = [103, 109] };
        var (host, main, cache) = await StartTwoAsync(failing);
        using var stopped = host;
        failing.Armed = true;

        var error = await Assert.ThrowsAsync<AggregateException>(() => host.StopAsync());

        var messages = error.Flatten().InnerExceptions.Select(e => Assert.IsType<InvalidOperationException>(e).Message).ToList();
        Assert.Contains("injected at /sim/app.db", messages); // the shutdown's failure (event 103's log) of each database
        Assert.Contains("injected at /sim/cache.db", messages);
        Assert.Throws<TransactionStateException>(() => main.BeginRead()); // closed all the same
        Assert.Throws<TransactionStateException>(() => cache.BeginRead());
    }

    /// <summary>Starts a host of two databases, the default one and "cache", logging to <paramref name="logger"/> too.</summary>
    private async Task<(IHost Host, Database Main, Database Cache)> StartTwoAsync(ILoggerProvider logger)
    {
        var host = Build(services => services
            .AddLogging(builder => builder.AddProvider(logger))
            .AddKeyedPersistence("cache", TestServices.Small("/sim/cache.db")));
        await host.StartAsync();
        return (host, host.Services.GetRequiredService<Database>(), host.Services.GetRequiredKeyedService<Database>("cache"));
    }

    private IHost Build(Action<IServiceCollection>? before = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        before?.Invoke(builder.Services);
        builder.Services
            .AddTestInfrastructure(_fs, _logger)
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>(static database => new UserCollection(database));
        return builder.Build();
    }

    private static User User(long id) => new() { Id = id, Email = $"user{id}@example.com" };

    private sealed class WritesWhenStopping(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) =>
            services.GetRequiredService<UserCollection>().InsertAsync(User(2), cancellationToken: cancellationToken);
    }

    /// <summary>A logger of the Persistence category that throws on a checkpoint's log event (3) once armed.</summary>
    private sealed class FailsOnCheckpointed : ILoggerProvider, ILogger
    {
        public volatile bool Armed;

        /// <summary>The events it throws on; the engine's checkpoint (3) unless told.</summary>
        public int[] Events { get; init; } = [3];

        public ILogger CreateLogger(string categoryName) => categoryName == "Persistence" ? this : NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Armed && Events.Contains(eventId.Id) && state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                throw new InvalidOperationException($"injected at {values.First(v => v.Key == "Path").Value}");
            }
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Starts the host, opens a write transaction holding user 7, and starts stopping: the drain waits for it.</summary>
    private static async Task<(UserCollection Users, WriteTransaction Transaction, Task Stopping)> StopWhileWritingAsync(IHost host)
    {
        await host.StartAsync();
        var users = host.Services.GetRequiredService<UserCollection>();
        var tx = users.Database.BeginWrite();
        users.Insert(User(7), tx);

        var stopping = host.StopAsync();
        await Task.Delay(50);
        Assert.False(stopping.IsCompleted); // draining: the transaction is open
        return (users, tx, stopping);
    }
}
