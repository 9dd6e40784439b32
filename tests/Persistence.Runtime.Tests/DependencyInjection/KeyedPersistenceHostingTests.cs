using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.DependencyInjection;

/// <summary>
/// Under a host every database of the container, the default one and the keyed ones, opens at start (one that cannot
/// open stops the host), has its expired documents collected, and is drained, checkpointed and closed at stop.
/// </summary>
public sealed class KeyedPersistenceHostingTests
{
    private static readonly string[] Keys = ["cache", "audit"];

    private readonly SimulatedFileSystem _fs = new();
    private readonly CapturingLogger _logger = new();

    [Fact]
    public async Task Every_database_opens_at_start_and_closes_after_the_application_with_a_final_checkpoint()
    {
        using var host = Build();
        await host.StartAsync();

        // Opened at start, before anything resolved them, each named in its message.
        var opened = _logger.Entries.Where(e => e.Event.Id == 102).Select(e => e.Message).ToList();
        Assert.Equal(3, opened.Count);
        Assert.Contains($"Database (default) at {TestServices.Path} opened at host start", opened);
        Assert.All(Keys, key => Assert.Contains($"Database {key} at {PathOf(key)} opened at host start", opened));

        var databases = new List<Database> { host.Services.GetRequiredService<Database>() };
        host.Services.GetRequiredService<UserCollection>().Insert(User(1));
        for (var i = 0; i < Keys.Length; i++)
        {
            databases.Add(host.Services.GetRequiredKeyedService<Database>(Keys[i]));
            host.Services.GetRequiredKeyedService<UserCollection>(Keys[i]).Insert(User(10 + i));
        }

        await host.StopAsync();

        foreach (var name in new[] { "(default)", "cache", "audit" })
        {
            var steps = _logger.Entries.Where(e => e.Event.Id is >= 103 and <= 107 && e.Message.Contains($"database {name} at", StringComparison.OrdinalIgnoreCase)).Select(e => e.Event.Id).ToList();
            Assert.Equal([103, 105, 107], steps); // shutdown started, final checkpoint, done
        }

        Assert.All(databases, database => Assert.Throws<TransactionStateException>(() => database.BeginRead()));
        foreach (var (path, id) in new[] { (TestServices.Path, 1L), (PathOf("cache"), 10L), (PathOf("audit"), 11L) })
        {
            using var reopened = TestServices.Reopen(_fs, path);
            Assert.Equal(0, reopened.Recovered!.Commits); // nothing to replay: the final checkpoint ran
            Assert.Equal([id], new UserCollection(reopened).All().Select(u => u.Id));
        }
    }

    [Fact]
    public async Task A_keyed_database_that_cannot_open_stops_the_host_before_any_hosted_service_starts()
    {
        using var owner = TestDatabases.Open(_fs, path: PathOf("audit")); // holds the lock
        var started = false;
        using var host = Build(services => services.AddSingleton<IHostedService>(new StartObserver(() => started = true)));

        await Assert.ThrowsAsync<StorageException>(() => host.StartAsync());

        Assert.False(started);
    }

    /// <summary>
    /// A database that cannot open fails the start with the engine's typed error naming its file; the databases opened
    /// before it are closed with the host (RunAsync disposes it), their locks released, so a new host over the same
    /// paths starts once the file is free. A guard: it fails when a failed start leaves a database open (checked by not
    /// disposing the first host: the reopen of the default database finds its lock held).
    /// </summary>
    [Fact]
    public async Task After_a_failed_start_the_opened_databases_close_with_the_host_and_a_new_host_starts()
    {
        var owner = TestDatabases.Open(_fs, path: PathOf("audit")); // holds the lock of the last database
        using (var failed = Build())
        {
            var error = await Assert.ThrowsAsync<StorageException>(() => failed.StartAsync());
            Assert.Contains(PathOf("audit"), error.Message, StringComparison.Ordinal);
        }

        foreach (var path in new[] { TestServices.Path, PathOf("cache") })
        {
            using var reopened = TestServices.Reopen(_fs, path); // the lock is free
        }

        owner.Dispose();
        using var host = Build();
        await host.StartAsync();
        host.Services.GetRequiredKeyedService<UserCollection>("audit").Insert(User(1));
        await host.StopAsync();
        using var audit = TestServices.Reopen(_fs, PathOf("audit"));
        Assert.Equal([1L], new UserCollection(audit).All().Select(u => u.Id));
    }

    /// <summary>
    /// The shutdown's checkpoint of one database ran on the thread that stopped the host, before the next database's
    /// shutdown began: the databases were checkpointed one after the other, each holding the host's thread, and one
    /// slow disk held every other database open.
    /// </summary>
    [Fact]
    public async Task A_database_whose_final_checkpoint_is_held_does_not_hold_the_others_shutdown()
    {
        using var host = Build();
        await host.StartAsync();
        host.Services.GetRequiredService<UserCollection>().Insert(User(1));
        foreach (var key in Keys)
        {
            host.Services.GetRequiredKeyedService<UserCollection>(key).Insert(User(2));
        }

        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        _fs.BeforeCounted = (kind, path) =>
        {
            if (kind == FaultKind.Write && path == TestServices.Path)
            {
                held.Set();
                release.Wait();
            }
        };
        var stopping = Task.Run(() => host.StopAsync());
        try
        {
            Assert.True(held.Wait(TimeSpan.FromSeconds(30)), "the default database's checkpoint did not start");
            bool OthersDone() => Keys.All(key => _logger.Entries.Any(e => e.Event.Id == 107 && e.Message.StartsWith($"Database {key} at", StringComparison.Ordinal)));
            Assert.True(SpinWait.SpinUntil(OthersDone, TimeSpan.FromSeconds(30)), "the keyed databases waited for the default one's checkpoint");
            Assert.False(stopping.IsCompleted);
        }
        finally
        {
            release.Set();
        }

        await stopping;
        Assert.True(_logger.Has(107));
    }

    [Fact]
    public async Task Expired_documents_of_every_database_are_collected_under_the_host()
    {
        var time = new FakeTimeProvider();
        using var host = Build(services => services.AddSingleton<TimeProvider>(time));
        await host.StartAsync();
        var collections = new[]
        {
            host.Services.GetRequiredService<UserCollection>(),
            host.Services.GetRequiredKeyedService<UserCollection>("cache"),
            host.Services.GetRequiredKeyedService<UserCollection>("audit"),
        };
        foreach (var users in collections)
        {
            users.Insert(new User { Id = 1, Email = "short@example.com", ExpiresAt = time.GetUtcNow() + TimeSpan.FromSeconds(1) });
            users.Insert(new User { Id = 2, Email = "long@example.com", ExpiresAt = time.GetUtcNow() + TimeSpan.FromDays(1) });
        }

        // Under a running host the hosted collector takes each database's own loop over. It sleeps on the fake
        // clock, so move it past the collector interval until every database has collected, for at most a minute (the
        // collector runs on a thread pool that a loaded machine may starve for seconds; a minute of 20 ms steps moves
        // the clock at most 33,000 s, short of the other document's day).
        var started = time.GetUtcNow();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (collections.Any(c => c.Database.GetStatistics().ExpiredCollected == 0) && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            time.Advance(TimeSpan.FromSeconds(11));
            await Task.Delay(20);
        }

        Assert.True(
            collections.All(c => c.Database.GetStatistics().ExpiredCollected > 0),
            $"collected {string.Join(", ", collections.Select(c => c.Database.GetStatistics().ExpiredCollected))} in {waited.Elapsed.TotalSeconds:F1} s, the clock moved {time.GetUtcNow() - started}");

        Assert.All(collections, users =>
        {
            Assert.Equal(1, users.Database.GetStatistics().ExpiredCollected);
            Assert.Equal([2L], users.All().Select(u => u.Id));
        });
        Assert.True(SpinWait.SpinUntil(() => collections.All(c => c.Database.Ttl.IsHostDriven), TimeSpan.FromSeconds(30)), "the hosted collector runs every database's loop");
        await host.StopAsync();
    }

    private static string PathOf(string key) => $"/sim/{key}.db";

    private IHost Build(Action<IServiceCollection>? before = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        before?.Invoke(builder.Services);
        builder.Services
            .AddTestInfrastructure(_fs, _logger)
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>(static database => new UserCollection(database));
        foreach (var key in Keys)
        {
            builder.Services
                .AddKeyedPersistence(key, TestServices.Small(PathOf(key)))
                .AddKeyedPersistenceCollection<UserCollection, User, long>(key, static database => new UserCollection(database));
        }

        return builder.Build();
    }

    private static User User(long id) => new() { Id = id, Email = $"user{id}@example.com" };

    private sealed class StartObserver(Action started) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            started();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
