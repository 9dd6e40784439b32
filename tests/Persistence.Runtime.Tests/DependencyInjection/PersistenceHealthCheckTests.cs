using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Persistence.DependencyInjection;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.DependencyInjection;

/// <summary>The health check: Healthy, Degraded past each threshold, Unhealthy when read-only or unopenable; statistics as data.</summary>
public sealed class PersistenceHealthCheckTests
{
    private readonly SimulatedFileSystem _fs = new();

    [Fact]
    public async Task A_writable_database_is_healthy_and_reports_its_statistics()
    {
        await using var provider = Build();
        new UserCollection(provider.GetRequiredService<Database>()).Insert(User(1));

        var entry = await CheckAsync(provider);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(2L, entry.Data["Commits"]);
        Assert.Equal(false, entry.Data["IsReadOnly"]);
        Assert.True((long)entry.Data["WalBytesSinceCheckpoint"] > 0);
    }

    [Fact]
    public async Task A_snapshot_held_too_long_is_degraded()
    {
        var time = new FakeTimeProvider();
        await using var provider = Build(services => services.AddSingleton<TimeProvider>(time), o => o.HealthCheck.MaxOldestSnapshotAge = TimeSpan.FromMinutes(1));
        var users = new UserCollection(provider.GetRequiredService<Database>());
        using var snapshot = users.Database.BeginRead();
        users.Insert(User(1)); // the snapshot is now older than the newest version
        time.Advance(TimeSpan.FromMinutes(2));

        var entry = await CheckAsync(provider);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("the oldest snapshot has been held for 00:02:00", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_and_pinned_bytes_past_their_thresholds_are_degraded()
    {
        using var database = TestDatabases.Open(_fs);
        var users = new UserCollection(database);
        users.Insert(User(1));
        database.Checkpoint();
        using var snapshot = database.BeginRead();
        users.Update(User(1));
        database.Checkpoint(); // the old pages stay pinned by the snapshot
        users.Insert(User(2));

        var thresholds = new PersistenceHealthCheckOptions { MaxWalBytesSinceCheckpoint = 1, MaxPinnedBytes = 1 };
        var result = PersistenceHealthCheck.Check(database, thresholds, HealthStatus.Unhealthy);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("bytes of log since the last checkpoint", result.Description, StringComparison.Ordinal);
        Assert.Contains("keeps", result.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, PersistenceHealthCheck.Check(database, new PersistenceHealthCheckOptions(), HealthStatus.Unhealthy).Status);
    }

    /// <summary>
    /// The log threshold defaults to four times the database's CheckpointWalBytes, not to a fixed 256 MiB: a larger
    /// checkpoint threshold was refused at start-up for the health check's default, and a smaller one left the check
    /// blind to checkpoints a hundred times behind.
    /// </summary>
    [Fact]
    public void The_log_threshold_defaults_to_four_times_the_checkpoint_threshold()
    {
        var options = TestDatabases.Small(new FakeTimeProvider());
        options.BackgroundWork = false; // no checkpoint unless asked: the log only grows
        using var database = TestDatabases.Open(_fs, options);
        var keyspace = database.Write(tx => tx.GetOrCreateKeyspace("blobs"));
        for (var i = 0; database.GetStatistics().WalBytesSinceCheckpoint <= 3 * options.CheckpointWalBytes; i++)
        {
            database.Write(tx => tx.Put(keyspace, BitConverter.GetBytes(i), new byte[64 << 10]));
        }

        Assert.Equal(HealthStatus.Healthy, PersistenceHealthCheck.Check(database, new PersistenceHealthCheckOptions(), HealthStatus.Unhealthy).Status);
        for (var i = 1000; database.GetStatistics().WalBytesSinceCheckpoint <= 4 * options.CheckpointWalBytes; i++)
        {
            database.Write(tx => tx.Put(keyspace, BitConverter.GetBytes(i), new byte[64 << 10]));
        }

        var result = PersistenceHealthCheck.Check(database, new PersistenceHealthCheckOptions(), HealthStatus.Unhealthy);
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains($"above {4 * options.CheckpointWalBytes}", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_only_database_is_unhealthy_with_the_cause()
    {
        await using var provider = Build();
        var users = new UserCollection(provider.GetRequiredService<Database>());
        _fs.Fault = p => p.Kind == FaultKind.Flush ? new IOException("injected fsync failure") : null;
        Assert.Throws<DatabaseReadOnlyException>(() => users.Insert(User(1)));
        _fs.Fault = null;

        var entry = await CheckAsync(provider);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("is read-only after a failure", entry.Description, StringComparison.Ordinal);
        Assert.NotNull(entry.Exception);
        Assert.Equal(true, entry.Data["IsReadOnly"]);
    }

    [Fact]
    public async Task The_failure_status_of_the_registration_is_used()
    {
        await using var provider = Build(failureStatus: HealthStatus.Degraded);
        var users = new UserCollection(provider.GetRequiredService<Database>());
        _fs.Fault = p => p.Kind == FaultKind.Flush ? new IOException("injected") : null;
        Assert.Throws<DatabaseReadOnlyException>(() => users.Insert(User(1)));

        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(provider)).Status);
    }

    [Fact]
    public async Task A_database_that_cannot_open_is_unhealthy()
    {
        using var owner = TestDatabases.Open(_fs, path: TestServices.Path); // holds the lock
        await using var provider = Build();

        var entry = await CheckAsync(provider);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<StorageException>(entry.Exception);
    }

    /// <summary>
    /// Without a host the check may be the first to resolve the database, which opens it and recovers its log: that ran
    /// on the probe's own thread and ignored the check's token, so a long recovery outlasted the check's timeout. The
    /// open now runs on the thread pool; the check waits for it only as long as its token allows, and a later check
    /// finds the database open.
    /// </summary>
    [Fact]
    public async Task A_check_that_opens_the_database_does_so_off_its_thread_and_gives_up_with_its_token()
    {
        await using var provider = Build();
        var callingThread = Environment.CurrentManagedThreadId;
        int? openingThread = null;
        using var opening = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        _fs.BeforeCounted = (_, _) =>
        {
            if (openingThread is null)
            {
                openingThread = Environment.CurrentManagedThreadId;
                opening.Set();
                if (openingThread != callingThread)
                {
                    release.Wait(); // hold the open, off the probe's thread (on it, this would block the test itself)
                }
            }
        };
        var check = new PersistenceHealthCheck(provider, DatabaseRegistration.Default);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("persistence", check, HealthStatus.Unhealthy, tags: null) };
        using var timeout = new CancellationTokenSource();

        var checking = check.CheckHealthAsync(context, timeout.Token);
        opening.Wait();

        Assert.NotEqual(callingThread, openingThread);
        Assert.False(checking.IsCompleted); // waiting for the open
        await timeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => checking); // the health-check service reports its timeout
        release.Set();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(provider)).Status); // the open went on and completed
    }

    /// <summary>
    /// Probes that come while a check's open is still going on (a long recovery, probed every few seconds) each ran a
    /// thread-pool thread of its own into the resolve, blocked on the container's lock until the open was done: they
    /// now wait for the open already under way, and the database is resolved once.
    /// </summary>
    [Fact]
    public async Task Checks_during_an_open_wait_for_it_instead_of_each_resolving_on_a_thread_of_its_own()
    {
        await using var provider = Build();
        var counting = new CountingProvider(provider);
        using var opening = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var held = 0;
        _fs.BeforeCounted = (_, _) =>
        {
            if (Interlocked.Exchange(ref held, 1) == 0)
            {
                opening.Set();
                release.Wait(); // the open is on a thread-pool thread, never the test's
            }
        };
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("persistence", _ => null!, HealthStatus.Unhealthy, tags: null) };

        var first = new PersistenceHealthCheck(counting, DatabaseRegistration.Default).CheckHealthAsync(context);
        opening.Wait();
        var second = new PersistenceHealthCheck(counting, DatabaseRegistration.Default).CheckHealthAsync(context);
        var third = new PersistenceHealthCheck(counting, DatabaseRegistration.Default).CheckHealthAsync(context);
        release.Set();

        Assert.All(await Task.WhenAll(first, second, third), result => Assert.Equal(HealthStatus.Healthy, result.Status));
        Assert.Equal(1, counting.DatabaseResolves);
        Assert.Equal(HealthStatus.Healthy, (await new PersistenceHealthCheck(counting, DatabaseRegistration.Default).CheckHealthAsync(context)).Status);
        Assert.Equal(2, counting.DatabaseResolves); // one open done, the next check resolves the open database anew
    }

    /// <summary>A provider that counts the resolves of the <see cref="Database"/>.</summary>
    private sealed class CountingProvider(IServiceProvider inner) : IServiceProvider
    {
        private int _databaseResolves;

        public int DatabaseResolves => Volatile.Read(ref _databaseResolves);

        public object? GetService(Type serviceType)
        {
            if (serviceType == typeof(Database))
            {
                Interlocked.Increment(ref _databaseResolves);
            }

            return inner.GetService(serviceType);
        }
    }

    /// <summary>
    /// The check reads the data file's length: a disposal that closed the file under that read made the check throw a
    /// raw <see cref="ObjectDisposedException"/>. The read in flight now completes (the close waits for it), and a check
    /// after the close reports the database closed.
    /// </summary>
    [Fact]
    public async Task A_check_racing_dispose_reports_the_statistics_or_the_database_closed()
    {
        var database = TestDatabases.Open(_fs);
        new UserCollection(database).Insert(User(1));
        using var hold = new HeldRead(_fs, database.Path!, ofLength: true);

        var check = TestDatabases.Dedicated(() =>
        {
            hold.Arm();
            return PersistenceHealthCheck.Check(database, new PersistenceHealthCheckOptions(), HealthStatus.Unhealthy);
        });
        hold.WaitUntilHeld(check);
        var closing = TestDatabases.Dedicated(database.Dispose);
        HeldRead.WaitForClose(database, _fs, database.Path!, closing);
        hold.Release();
        await closing;

        var raced = await check;
        Assert.True(raced.Status == HealthStatus.Healthy || raced.Description!.EndsWith("is closed.", StringComparison.Ordinal), raced.Description);
        var after = PersistenceHealthCheck.Check(database, new PersistenceHealthCheckOptions(), HealthStatus.Unhealthy);
        Assert.Equal(HealthStatus.Unhealthy, after.Status);
        Assert.Equal(ErrorCode.DatabaseClosed, Assert.IsType<TransactionStateException>(after.Exception).Code);
    }

    /// <summary>A probe during shutdown, after the container (and the database with it) was disposed, reports the database closed.</summary>
    [Fact]
    public async Task A_probe_after_the_container_was_disposed_reports_the_database_closed()
    {
        var provider = Build();
        provider.GetRequiredService<Database>();
        using var scope = provider.CreateScope(); // as the health-check service resolves its checks
        var check = new PersistenceHealthCheck(scope.ServiceProvider, DatabaseRegistration.Default);
        await provider.DisposeAsync();

        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("persistence", check, HealthStatus.Degraded, null) };
        var result = await check.CheckHealthAsync(context);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("closed", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_keyed_database_has_its_own_check()
    {
        var collection = new ServiceCollection()
            .AddTestInfrastructure(_fs)
            .AddPersistence(TestServices.Small)
            .AddKeyedPersistence("cache", TestServices.Small("/sim/cache.db"))
            .AddKeyedPersistence("audit", TestServices.Small("/sim/audit.db"));
        collection.AddHealthChecks().AddPersistence().AddKeyedPersistence("cache").AddKeyedPersistence("audit", name: "audit-db", failureStatus: HealthStatus.Degraded);
        await using var provider = collection.BuildServiceProvider();
        var cache = new UserCollection(provider.GetRequiredKeyedService<Database>("cache"));
        var audit = new UserCollection(provider.GetRequiredKeyedService<Database>("audit"));
        _fs.Fault = p => p.Kind == FaultKind.Flush && !p.Path.StartsWith("/sim/app.db", StringComparison.Ordinal) ? new IOException("injected fsync failure") : null;
        Assert.Throws<DatabaseReadOnlyException>(() => cache.Insert(User(1)));
        Assert.Throws<DatabaseReadOnlyException>(() => audit.Insert(User(1)));
        _fs.Fault = null;

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(["audit-db", "persistence", "persistence-cache"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(HealthStatus.Healthy, report.Entries["persistence"].Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["persistence-cache"].Status);
        Assert.Contains("/sim/cache.db is read-only after a failure", report.Entries["persistence-cache"].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, report.Entries["audit-db"].Status); // its registration's failure status
        Assert.Contains("/sim/audit.db", report.Entries["audit-db"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_keyed_check_uses_the_thresholds_of_its_own_database()
    {
        var time = new FakeTimeProvider();
        var collection = new ServiceCollection()
            .AddTestInfrastructure(_fs)
            .AddSingleton<TimeProvider>(time)
            .AddPersistence(TestServices.Small)
            .AddKeyedPersistence("cache", o =>
            {
                TestServices.Small("/sim/cache.db")(o);
                o.HealthCheck.MaxOldestSnapshotAge = TimeSpan.FromMinutes(1);
            });
        collection.AddHealthChecks().AddPersistence().AddKeyedPersistence("cache");
        await using var provider = collection.BuildServiceProvider();
        var snapshots = new List<ReadTransaction>();
        foreach (var database in new[] { provider.GetRequiredService<Database>(), provider.GetRequiredKeyedService<Database>("cache") })
        {
            var users = new UserCollection(database);
            snapshots.Add(database.BeginRead());
            users.Insert(User(1)); // the snapshot is now older than the newest version
        }

        time.Advance(TimeSpan.FromMinutes(2));
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        snapshots.ForEach(s => s.Dispose());

        Assert.Equal(HealthStatus.Healthy, report.Entries["persistence"].Status); // five minutes by default
        Assert.Equal(HealthStatus.Degraded, report.Entries["persistence-cache"].Status);
        Assert.Contains("the oldest snapshot has been held for 00:02:00, longer than 00:01:00", report.Entries["persistence-cache"].Description, StringComparison.Ordinal);
    }

    /// <summary>
    /// The settings are read when the database opens, the check's thresholds with the rest; a configuration reload
    /// applies at the next start. A keyed database bound from a section read its options again at every check, so a
    /// reloaded threshold applied to its check (and not to the default database's), and an edit that fails validation
    /// turned its check Unhealthy with that failure while the database ran on with the settings it opened with.
    /// </summary>
    [Fact]
    public async Task A_configuration_reload_after_the_open_leaves_the_checks_thresholds_as_they_opened()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cache:Path"] = "/sim/cache.db",
            ["Cache:PageSize"] = "4096",
            ["Cache:HealthCheck:MaxOldestSnapshotAge"] = "00:10:00",
        }).Build();
        var time = new FakeTimeProvider();
        var collection = new ServiceCollection()
            .AddTestInfrastructure(_fs)
            .AddSingleton<TimeProvider>(time)
            .AddKeyedPersistence("cache", configuration.GetSection("Cache"));
        collection.AddHealthChecks().AddKeyedPersistence("cache");
        await using var provider = collection.BuildServiceProvider();
        var database = provider.GetRequiredKeyedService<Database>("cache");
        using var snapshot = database.BeginRead();
        new UserCollection(database).Insert(User(1)); // the snapshot is now older than the newest version
        time.Advance(TimeSpan.FromMinutes(2));

        configuration["Cache:HealthCheck:MaxOldestSnapshotAge"] = "00:01:00";
        configuration.Reload();
        var entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["persistence-cache"];
        Assert.Equal(HealthStatus.Healthy, entry.Status); // held 2 minutes, under the 10 it opened with

        configuration["Cache:PageSize"] = "3";
        _ = Record.Exception(configuration.Reload); // the options monitor validates the reloaded options at once, and throws to the reload
        entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["persistence-cache"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Null(entry.Exception);
    }

    [Fact]
    public async Task A_key_without_a_database_is_unhealthy()
    {
        var collection = new ServiceCollection().AddTestInfrastructure(_fs).AddPersistence(TestServices.Small);
        collection.AddHealthChecks().AddKeyedPersistence("missing");
        await using var provider = collection.BuildServiceProvider();

        var entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["persistence-missing"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    private ServiceProvider Build(Action<IServiceCollection>? services = null, Action<PersistenceOptions>? configure = null, HealthStatus? failureStatus = null)
    {
        var collection = new ServiceCollection()
            .AddTestInfrastructure(_fs)
            .AddPersistence(o =>
            {
                TestServices.Small(o);
                configure?.Invoke(o);
            });
        collection.AddHealthChecks().AddPersistence(failureStatus: failureStatus);
        services?.Invoke(collection);
        return collection.BuildServiceProvider();
    }

    private static async Task<HealthReportEntry> CheckAsync(IServiceProvider provider)
    {
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["persistence"];
    }

    private static User User(long id) => new() { Id = id, Email = $"user{id}@example.com" };
}
