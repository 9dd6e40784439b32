using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Persistence.Collections;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.DependencyInjection;

/// <summary>
/// The hosted collector binds, at start, the registered collections of every database that holds expiring documents,
/// so that documents written by an earlier run are collected even when this run never resolves their collection.
/// </summary>
public sealed class TtlCollectorServiceTests
{
    private readonly SimulatedFileSystem _fs = new();
    private readonly CapturingLogger _logger = new();
    private readonly FakeTimeProvider _time = new();
    private int _usersConstructed;
    private int _gadgetsConstructed;

    [Fact]
    public async Task A_collection_nothing_resolves_still_has_its_expired_documents_collected()
    {
        WriteUsers(TestServices.Path);
        using var host = Build(services => services
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>(database => Count(ref _usersConstructed, new UserCollection(database))));

        await host.StartAsync();
        var database = host.Services.GetRequiredService<Database>();
        await AdvanceUntilCollectedAsync(database);

        Assert.Equal(1, database.GetStatistics().ExpiredCollected);
        Assert.Equal(1, _usersConstructed); // by the service, at start: the test resolves nothing
        await host.StopAsync();
        using var reopened = TestDatabases.Open(_fs, TestDatabases.Small(_time), TestServices.Path);
        Assert.Equal([2L], new UserCollection(reopened).All().Select(u => u.Id));
    }

    [Fact]
    public async Task A_keyed_database_has_its_collections_bound_at_start_too()
    {
        const string Path = "/sim/cache.db";
        WriteUsers(Path);
        using var host = Build(services => services
            .AddKeyedPersistence("cache", TestServices.Small(Path))
            .AddKeyedPersistenceCollection<UserCollection, User, long>("cache", database => Count(ref _usersConstructed, new UserCollection(database))));

        await host.StartAsync();
        var database = host.Services.GetRequiredKeyedService<Database>("cache");
        await AdvanceUntilCollectedAsync(database);

        Assert.Equal(1, database.GetStatistics().ExpiredCollected);
        Assert.Equal(1, _usersConstructed);
    }

    /// <summary>
    /// A database without an expiry index has nothing to collect: none of its collections is constructed at start. The
    /// database without one is registered first, so its collections have been considered once the other's are bound.
    /// </summary>
    [Fact]
    public async Task A_database_without_expiring_documents_has_no_collection_constructed_at_start()
    {
        const string Path = "/sim/plain.db";
        using (var plain = TestDatabases.Open(_fs, TestDatabases.Small(_time), Path))
        {
            new GadgetCollection(plain).Insert(new Gadget { Id = 1, Code = "a" });
        }

        WriteUsers(TestServices.Path);
        using var host = Build(services => services
            .AddKeyedPersistence("plain", TestServices.Small(Path))
            .AddKeyedPersistenceCollection<GadgetCollection, Gadget, long>("plain", database => Count(ref _gadgetsConstructed, new GadgetCollection(database)))
            .AddKeyedPersistenceCollection<UserCollection, User, long>("plain", database => Count(ref _usersConstructed, new UserCollection(database)))
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>(database => Count(ref _usersConstructed, new UserCollection(database))));

        await host.StartAsync();
        await AdvanceUntilCollectedAsync(host.Services.GetRequiredService<Database>());

        Assert.Equal(1, _usersConstructed); // the default database's, not the keyed one's
        Assert.Equal(0, _gadgetsConstructed);
    }

    /// <summary>A collection that cannot bind is logged and skipped: the host keeps running and collects the others.</summary>
    [Fact]
    public async Task A_collection_that_fails_to_bind_at_start_is_logged_and_the_others_are_collected()
    {
        var (host, database) = await StartWithGadgetsRefusedAsync();
        using var disposing = host;

        Assert.Equal(1, database.GetStatistics().ExpiredCollected);
        var failed = Assert.Single(_logger.Entries, e => e.Event.Id == 110);
        Assert.Contains("Collection GadgetCollection of database (default)", failed.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Collections are bound off the host's start (.NET 10 runs the whole of <c>ExecuteAsync</c> on the thread pool), so
    /// a construction that builds a large index holds up neither the start nor the application, and the application
    /// resolving the collection meanwhile waits for that construction and gets its instance: one collection, constructed once.
    /// </summary>
    [Fact]
    public async Task A_collection_constructed_at_start_holds_up_neither_the_start_nor_the_application_resolving_it()
    {
        WriteUsers(TestServices.Path);
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Build(services => services
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>(database =>
            {
                entered.TrySetResult();
                release.Wait(); // a long index build, held until the test lets it go
                return Count(ref _usersConstructed, new UserCollection(database));
            }));

        try
        {
            // A guard, not a measure: a start held up by the construction would wait for the release for ever.
            await host.StartAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await entered.Task;
            var resolving = Task.Run(() => host.Services.GetRequiredService<UserCollection>());
            Assert.Equal(0, _usersConstructed);
            release.Set();
            var resolved = await resolving;

            var database = host.Services.GetRequiredService<Database>();
            await AdvanceUntilCollectedAsync(database);
            Assert.Equal(1, database.GetStatistics().ExpiredCollected);
            Assert.Equal(1, _usersConstructed);
            Assert.Same(resolved, host.Services.GetRequiredService<IRepository<User, long>>());
        }
        finally
        {
            release.Set();
        }
    }

    /// <summary>
    /// A host stopped while the collections are bound constructs no more of them: the construction under way ends (it
    /// cannot be cancelled), the others are left to the next start, and none is bound against a database being closed.
    /// </summary>
    [Fact]
    public async Task A_host_stopped_while_collections_are_bound_constructs_no_more_of_them()
    {
        WriteUsers(TestServices.Path);
        var stopping = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        IHost? started = null;
        using var host = Build(services => services
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>(database =>
            {
                // The host's stop cancels the collector's token, then waits for the service, that is for this construction.
                stopping.SetResult(started!.StopAsync());
                return Count(ref _usersConstructed, new UserCollection(database));
            })
            .AddPersistenceCollection<GadgetCollection, Gadget, long>(database => Count(ref _gadgetsConstructed, new GadgetCollection(database))));
        started = host;

        await host.StartAsync();
        await await stopping.Task;

        Assert.Equal(1, _usersConstructed);
        Assert.Equal(0, _gadgetsConstructed);
        Assert.DoesNotContain(_logger.Entries, e => e.Event.Id == 110);
    }

    /// <summary>
    /// A logger that fails on the warning of a collection that could not bind stops neither the binding nor the host:
    /// the collections after it are bound and collected, and the application is not stopped by a faulted service.
    /// </summary>
    [Fact]
    public async Task A_logger_failing_on_the_warning_of_a_collection_that_fails_to_bind_does_not_stop_the_host()
    {
        var (host, database) = await StartWithGadgetsRefusedAsync(builder => builder.AddProvider(new FailsOnEvent(110)));
        using var disposing = host;

        Assert.Equal(1, database.GetStatistics().ExpiredCollected);
        Assert.Equal(1, _usersConstructed);
        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    /// <summary>
    /// A database the application closes while its collections are bound at start ends the binding quietly, as a
    /// database closed before it began does: no collection is said to have failed to bind, and none is tried after. The
    /// databases are bound in order of registration, so the second one's binding shows that the first one's is over.
    /// </summary>
    [Fact]
    public async Task A_database_closed_while_its_collections_are_bound_ends_the_binding_without_warnings()
    {
        const string Other = "/sim/other.db";
        WriteUsers(TestServices.Path);
        WriteUsers(Other);
        var otherBound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Build(services => services
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>(database =>
            {
                database.Dispose(); // the application closes it as the host starts
                return Count(ref _usersConstructed, new UserCollection(database));
            })
            .AddPersistenceCollection<GadgetCollection, Gadget, long>(database => Count(ref _gadgetsConstructed, new GadgetCollection(database)))
            .AddKeyedPersistence("other", TestServices.Small(Other))
            .AddKeyedPersistenceCollection<UserCollection, User, long>("other", database =>
            {
                otherBound.TrySetResult();
                return new UserCollection(database);
            }));

        await host.StartAsync();
        await otherBound.Task;

        Assert.Equal(0, _usersConstructed);
        Assert.Equal(0, _gadgetsConstructed);
        Assert.DoesNotContain(_logger.Entries, e => e.Event.Id == 110);
    }

    /// <summary>
    /// A registration that says its collection has no [ExpiresAt] member (as the generated one does) keeps the
    /// collector from building it: its keyspaces are not created, while the users, which have the member, are built and
    /// collected. The gadgets are registered first, so they have been considered once the users are collected.
    /// </summary>
    [Fact]
    public async Task An_unused_collection_without_expiry_is_not_built_at_start_while_one_with_expiry_is_and_is_collected()
    {
        WriteUsers(TestServices.Path);
        var collected = await RunUntilCollectedAsync(services => AddDescribedUsers(AddDescribedGadgets(services)));

        Assert.Equal(1, collected);
        Assert.Equal(1, _usersConstructed);
        Assert.Equal(0, _gadgetsConstructed);
        Assert.DoesNotContain(KeyspacesOnDisk(), name => name.StartsWith("gadgets", StringComparison.Ordinal));
    }

    /// <summary>
    /// A collection without an [ExpiresAt] member whose documents got expiries from a default lifetime in an earlier run
    /// has expired documents to collect, even with no default lifetime configured now: the collector builds it.
    /// </summary>
    [Fact]
    public async Task A_collection_without_expiry_member_whose_documents_got_a_default_lifetime_is_built_and_collected()
    {
        WriteGadgetsWithDefaultLifetime();
        var collected = await RunUntilCollectedAsync(AddDescribedGadgets);

        Assert.Equal(1, collected);
        Assert.Equal(1, _gadgetsConstructed);
    }

    /// <summary>
    /// A collection with an [ExpiresAt] member that was never written has nothing to collect, even in a database that
    /// holds another collection's expiry index (here the gadgets', from a default lifetime): it is not built, and its
    /// keyspaces are not created. The users are registered first, so they have been considered once the gadgets are collected.
    /// </summary>
    [Fact]
    public async Task A_collection_with_expiry_never_written_is_not_built_at_start()
    {
        WriteGadgetsWithDefaultLifetime();
        var collected = await RunUntilCollectedAsync(services => AddDescribedGadgets(AddDescribedUsers(services)));

        Assert.Equal(1, collected);
        Assert.Equal(1, _gadgetsConstructed);
        Assert.Equal(0, _usersConstructed);
        Assert.DoesNotContain(KeyspacesOnDisk(), name => name.StartsWith("users", StringComparison.Ordinal));
    }

    /// <summary>
    /// A collection whose [ExpiresAt] member was declared after its documents were written holds expired documents
    /// before anything builds its expiry index: it is the only collection of its database, which holds no expiry index
    /// yet, and the collector builds it (building the index) and collects them all the same.
    /// </summary>
    [Fact]
    public async Task A_collection_whose_expiry_member_was_declared_since_its_documents_were_written_is_built_and_collected()
    {
        WriteUsers(TestServices.Path, static database => new UsersWithoutExpiry(database));
        Assert.DoesNotContain(KeyspacesOnDisk(), name => name.EndsWith("#$expiry", StringComparison.Ordinal));

        var collected = await RunUntilCollectedAsync(AddDescribedUsers);

        Assert.Equal(1, collected);
        Assert.Equal(1, _usersConstructed);
    }

    /// <summary>
    /// A collection whose [ExpiresAt] member was removed, and which never had a default lifetime, has nothing to collect
    /// though its old expiry index is still on disk: the collector does not build it (which would delete that index
    /// before the application asks for the collection). The gadgets, with a default lifetime's expiries, are
    /// registered after it, so it has been considered once they are collected.
    /// </summary>
    [Fact]
    public async Task A_collection_whose_expiry_member_was_removed_is_not_built_at_start()
    {
        WriteUsers(TestServices.Path);
        WriteGadgetsWithDefaultLifetime();

        var collected = await RunUntilCollectedAsync(services => AddDescribedGadgets(services.AddPersistenceCollection<UsersWithoutExpiry, User, long>(
            "users", hasExpiresAt: false, database => Count(ref _usersConstructed, new UsersWithoutExpiry(database)))));

        Assert.Equal(1, collected);
        Assert.Equal(1, _gadgetsConstructed);
        Assert.Equal(0, _usersConstructed);
        Assert.Contains("users#$expiry", KeyspacesOnDisk());
    }

    /// <summary>
    /// A collection without expiry that would fail to build is not built at start, so it is not logged as one whose
    /// expired documents go uncollected: it has none.
    /// </summary>
    [Fact]
    public async Task A_failing_collection_without_expiry_is_not_logged_as_not_bound_at_start()
    {
        WriteUsers(TestServices.Path);
        using var host = Build(services => services
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<GadgetCollection, Gadget, long>("gadgets", hasExpiresAt: false, static _ => throw new InvalidOperationException("gadgets refused"))
            .AddPersistenceCollection<UserCollection, User, long>("users", hasExpiresAt: true, database => Count(ref _usersConstructed, new UserCollection(database))));

        await host.StartAsync();
        var database = host.Services.GetRequiredService<Database>();
        await AdvanceUntilCollectedAsync(database);

        Assert.Equal(1, database.GetStatistics().ExpiredCollected);
        Assert.DoesNotContain(_logger.Entries, e => e.Event.Id == 110);
    }

    /// <summary>
    /// A collection the application registered as scoped before the generated registration (which then leaves it as it
    /// is) is built at start in a scope, as the application builds it: the container refuses it from the root (scopes
    /// are validated, as in Development), which must not be reported as a failure of the collection.
    /// </summary>
    [Fact]
    public async Task A_scoped_collection_is_built_at_start_in_a_scope_and_collected()
    {
        WriteUsers(TestServices.Path);
        using var host = Build(
            services => services
                .AddPersistence(TestServices.Small)
                .AddScoped(provider => Count(ref _usersConstructed, new UserCollection(provider.GetRequiredService<Database>())))
                .AddPersistenceCollection<UserCollection, User, long>("users", hasExpiresAt: true, static database => new UserCollection(database)),
            validateScopes: true);

        await host.StartAsync();
        var database = host.Services.GetRequiredService<Database>();
        await AdvanceUntilCollectedAsync(database);

        Assert.Equal(1, database.GetStatistics().ExpiredCollected);
        Assert.Equal(1, _usersConstructed);
        Assert.DoesNotContain(_logger.Entries, e => e.Event.Id == 110);
    }

    /// <summary>
    /// The scope a collection is built in at start is disposed as the application's scopes are, asynchronously: a scoped
    /// collection that depends on a scoped service disposable only asynchronously is built, collected and not logged
    /// as event 110 (a synchronous disposal throws for such a service, after the collection was built and registered),
    /// and the service is disposed.
    /// </summary>
    [Fact]
    public async Task A_scoped_collection_built_at_start_with_a_dependency_disposable_only_asynchronously_is_not_logged_as_not_bound()
    {
        WriteUsers(TestServices.Path);
        var resource = new AsyncOnlyResource();
        var collected = await RunUntilCollectedAsync(services => services
            .AddScoped(_ => resource)
            .AddScoped(provider =>
            {
                provider.GetRequiredService<AsyncOnlyResource>();
                return Count(ref _usersConstructed, new UserCollection(provider.GetRequiredService<Database>()));
            })
            .AddPersistenceCollection<UserCollection, User, long>("users", hasExpiresAt: true, static database => new UserCollection(database)));

        Assert.Equal(1, collected);
        Assert.Equal(1, _usersConstructed);
        Assert.DoesNotContain(_logger.Entries, e => e.Event.Id == 110);
        Assert.True(resource.Disposed);
    }

    /// <summary>
    /// A scoped service whose disposal throws, in the scope a collection is built in at start, is logged as event 111,
    /// which says so, with its exception; not as event 110, which says the collection could not be built when it was
    /// built, registered and collected.
    /// </summary>
    [Fact]
    public async Task A_scoped_service_whose_disposal_throws_at_start_is_logged_as_its_own_event()
    {
        WriteUsers(TestServices.Path);
        var collected = await RunUntilCollectedAsync(services => services
            .AddScoped<ThrowsOnDispose>()
            .AddScoped(provider =>
            {
                provider.GetRequiredService<ThrowsOnDispose>();
                return Count(ref _usersConstructed, new UserCollection(provider.GetRequiredService<Database>()));
            })
            .AddPersistenceCollection<UserCollection, User, long>("users", hasExpiresAt: true, static database => new UserCollection(database)));

        Assert.Equal(1, collected);
        Assert.Equal(1, _usersConstructed);
        Assert.DoesNotContain(_logger.Entries, e => e.Event.Id == 110);
        var disposal = Assert.Single(_logger.Entries, e => e.Event.Id == 111);
        Assert.Equal(LogLevel.Warning, disposal.Level);
        Assert.Equal("disposal refused", disposal.Exception?.Message);
        Assert.StartsWith("A service of the scope in which collection UserCollection of database (default) at ", disposal.Message, StringComparison.Ordinal);
        Assert.Contains("threw when the scope was disposed", disposal.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Event 110 of a scoped collection that fails to build speaks of its lifetime truly: its expired documents wait for
    /// an instance built when the application resolves it, a singleton once or a scoped collection in a scope; the
    /// message does not promise that the application meets the same error, which a scoped collection built in another
    /// scope need not.
    /// </summary>
    [Fact]
    public async Task A_scoped_collection_that_fails_to_build_at_start_is_logged_in_words_true_of_its_lifetime()
    {
        WriteUsers(TestServices.Path);
        var gadgetsBound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Build(
            services => services
                .AddPersistence(TestServices.Small)
                .AddScoped<UserCollection>(static _ => throw new InvalidOperationException("users refused"))
                .AddPersistenceCollection<UserCollection, User, long>("users", hasExpiresAt: true, static database => new UserCollection(database))
                .AddPersistenceCollection<GadgetCollection, Gadget, long>(database =>
                {
                    gadgetsBound.TrySetResult(); // undescribed, so built; after the users, so once they are logged
                    return new GadgetCollection(database);
                }),
            validateScopes: true);

        await host.StartAsync();
        await gadgetsBound.Task;

        var failed = Assert.Single(_logger.Entries, e => e.Event.Id == 110);
        Assert.Equal("users refused", failed.Exception?.Message);
        Assert.Contains("not collected until an instance of it is built, when the application resolves it (as a singleton, or in a scope if it is registered as scoped)", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("same error", failed.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts a host over <see cref="WriteUsers"/>'s database whose gadgets fail to bind, registered before the users,
    /// with <paramref name="logging"/> added to its logging, and waits for the collector to run.
    /// </summary>
    private async Task<(IHost Host, Database Database)> StartWithGadgetsRefusedAsync(Action<ILoggingBuilder>? logging = null)
    {
        WriteUsers(TestServices.Path);
        var host = Build(services => services
            .AddLogging(builder => logging?.Invoke(builder))
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<GadgetCollection, Gadget, long>(static _ => throw new InvalidOperationException("gadgets refused"))
            .AddPersistenceCollection<UserCollection, User, long>(database => Count(ref _usersConstructed, new UserCollection(database))));
        await host.StartAsync();
        var database = host.Services.GetRequiredService<Database>();
        await AdvanceUntilCollectedAsync(database);
        return (host, database);
    }

    /// <summary>
    /// Starts a host over the default database with the collections <paramref name="register"/> adds, waits for the
    /// collector to run and stops the host; returns the number of expired documents collected.
    /// </summary>
    private async Task<long> RunUntilCollectedAsync(Func<IServiceCollection, IServiceCollection> register)
    {
        using var host = Build(services => register(services.AddPersistence(TestServices.Small)));
        await host.StartAsync();
        var database = host.Services.GetRequiredService<Database>();
        await AdvanceUntilCollectedAsync(database);
        var collected = database.GetStatistics().ExpiredCollected;
        await host.StopAsync();
        return collected;
    }

    /// <summary>The users, registered as the generated registration does: named, with their [ExpiresAt] member.</summary>
    private IServiceCollection AddDescribedUsers(IServiceCollection services) =>
        services.AddPersistenceCollection<UserCollection, User, long>("users", hasExpiresAt: true, database => Count(ref _usersConstructed, new UserCollection(database)));

    /// <summary>The gadgets, registered as the generated registration does: named, without an [ExpiresAt] member.</summary>
    private IServiceCollection AddDescribedGadgets(IServiceCollection services) =>
        services.AddPersistenceCollection<GadgetCollection, Gadget, long>("gadgets", hasExpiresAt: false, database => Count(ref _gadgetsConstructed, new GadgetCollection(database)));

    /// <summary>The names of the keyspaces of the default database's file, reopened as the next run would.</summary>
    private List<string> KeyspacesOnDisk()
    {
        using var reopened = TestDatabases.Open(_fs, TestDatabases.Small(_time), TestServices.Path);
        using var read = reopened.BeginRead();
        return read.GetKeyspaces().Select(keyspace => keyspace.Name).ToList();
    }

    /// <summary>An earlier run that gave the gadgets a default lifetime of a second: one gadget, then closed.</summary>
    private void WriteGadgetsWithDefaultLifetime()
    {
        var earlier = TestDatabases.Small(_time);
        earlier.Collections["gadgets"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(1) };
        using var database = TestDatabases.Open(_fs, earlier, TestServices.Path);
        new GadgetCollection(database).Insert(new Gadget { Id = 1, Code = "a" });
    }

    /// <summary>
    /// An earlier run of the application: one user expiring in a second, one in a day, then closed; written through
    /// <paramref name="users"/>, the generated <see cref="UserCollection"/> unless given.
    /// </summary>
    private void WriteUsers(string path, Func<Database, Collection<User, long>>? users = null)
    {
        using var database = TestDatabases.Open(_fs, TestDatabases.Small(_time), path);
        var collection = (users ?? (static database => new UserCollection(database)))(database);
        collection.Insert(new User { Id = 1, Email = "short@example.com", ExpiresAt = _time.GetUtcNow() + TimeSpan.FromSeconds(1) });
        collection.Insert(new User { Id = 2, Email = "long@example.com", ExpiresAt = _time.GetUtcNow() + TimeSpan.FromDays(1) });
    }

    /// <summary>
    /// Moves the fake clock past the collector interval until the database has collected, for at most a minute (a
    /// loaded machine may starve the thread pool for seconds; the clock stays short of the other user's day).
    /// </summary>
    private async Task AdvanceUntilCollectedAsync(Database database)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (database.GetStatistics().ExpiredCollected == 0 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            _time.Advance(TimeSpan.FromSeconds(11));
            await Task.Delay(20);
        }
    }

    /// <param name="validateScopes">True to have the container refuse scoped services from the root, as in Development.</param>
    private IHost Build(Action<IServiceCollection> register, bool validateScopes = false)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (validateScopes)
        {
            builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true }));
        }

        builder.Services.AddTestInfrastructure(_fs, _logger).AddSingleton<TimeProvider>(_time);
        register(builder.Services);
        return builder.Build();
    }

    private static T Count<T>(ref int constructed, T collection)
    {
        Interlocked.Increment(ref constructed);
        return collection;
    }

    /// <summary>"users" as another version of the application declares it: without its [ExpiresAt] member.</summary>
    private sealed class UsersWithoutExpiry(Database database)
        : Collection<User, long>(database, new HookedUserSchema(expires: false, UserSchema.Instance.Indexes, onDecode: null));

    /// <summary>A scoped service that can only be disposed asynchronously, as some application services are.</summary>
    private sealed class AsyncOnlyResource : IAsyncDisposable
    {
        public bool Disposed { get; private set; }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A scoped service whose disposal throws.</summary>
    private sealed class ThrowsOnDispose : IDisposable
    {
        public void Dispose() => throw new InvalidOperationException("disposal refused");
    }

    /// <summary>A logger of the Persistence category that throws on one event.</summary>
    private sealed class FailsOnEvent(int failing) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => categoryName == "Persistence" ? this : NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == failing)
            {
                throw new InvalidOperationException($"logger failed on event {eventId.Id}");
            }
        }

        public void Dispose()
        {
        }
    }
}
