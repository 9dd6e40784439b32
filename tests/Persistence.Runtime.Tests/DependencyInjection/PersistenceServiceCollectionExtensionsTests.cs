using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Persistence.DependencyInjection;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.DependencyInjection;

/// <summary>The database as a container singleton: opened on first resolve, wired to logging and metrics, closed cleanly with the container.</summary>
public sealed class PersistenceServiceCollectionExtensionsTests
{
    [Fact]
    public void The_database_is_a_singleton_opened_on_first_resolve()
    {
        var fs = new SimulatedFileSystem();
        using var provider = TestServices.Build(fs);
        Assert.Empty(fs.AllFiles());
        var database = provider.GetRequiredService<Database>();
        Assert.Same(database, provider.GetRequiredService<Database>());
        Assert.Equal(TestServices.Path, database.Path);
        Assert.Equal(4096, database.PageSize);
        Assert.Contains(TestServices.Path, fs.AllFiles());
    }

    [Fact]
    public void Disposing_the_container_closes_the_database_with_a_final_checkpoint()
    {
        var fs = new SimulatedFileSystem();
        using (var provider = TestServices.Build(fs))
        {
            var users = new UserCollection(provider.GetRequiredService<Database>());
            users.Insert(new User { Id = 1, Email = "ada@example.com", Age = 36 });
            users.Insert(new User { Id = 2, Email = "grace@example.com", Age = 45 });
        }

        // The lock is released, and nothing is left in the log to replay.
        using var reopened = TestServices.Reopen(fs);
        Assert.Equal(0, reopened.Recovered!.Commits);
        Assert.Equal(0, reopened.GetStatistics().WalBytesSinceCheckpoint);
        Assert.Equal(2, new UserCollection(reopened).Count());
        TestDatabases.AssertConsistent(reopened);
    }

    /// <summary>
    /// The hosted collector trusts a registration's description to leave a collection unbuilt, so a hand-written one
    /// that names another collection or misstates its [ExpiresAt] member is refused when the collection is resolved,
    /// default and keyed alike, instead of leaving expired documents uncollected without a word.
    /// </summary>
    [Theory]
    [InlineData("people", true)]
    [InlineData("users", false)]
    public void A_collection_registered_under_a_description_it_does_not_match_is_refused(string name, bool hasExpiresAt)
    {
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>(name, hasExpiresAt, static database => new UserCollection(database))
            .AddKeyedPersistence("cache", TestServices.Small("/sim/cache.db"))
            .AddKeyedPersistenceCollection<UserCollection, User, long>("cache", name, hasExpiresAt, static database => new UserCollection(database))
            .BuildServiceProvider();

        var refused = Assert.Throws<InvalidOptionsException>(() => provider.GetRequiredService<UserCollection>());
        Assert.Equal(ErrorCode.InvalidOptions, refused.Code);
        Assert.Equal(name == "users" ? "hasExpiresAt" : "collectionName", refused.Option);
        Assert.Contains($"registered as collection '{name}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("but it is collection 'users' with one", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOptionsException>(() => provider.GetRequiredKeyedService<UserCollection>("cache"));

        // Refused by the constructor, before it bound: neither database holds anything of the collection.
        Assert.All(new[] { provider.GetRequiredService<Database>(), provider.GetRequiredKeyedService<Database>("cache") }, database =>
        {
            using var read = database.BeginRead();
            Assert.DoesNotContain(read.GetKeyspaces(), keyspace => keyspace.Name.StartsWith("users", StringComparison.Ordinal));
        });
    }

    /// <summary>
    /// A factory that returns a collection it did not construct is still checked, when it returns it; a collection of
    /// another type the factory constructs along the way is not held to the registration's description.
    /// </summary>
    [Fact]
    public void A_collection_the_factory_did_not_construct_is_checked_when_returned()
    {
        UserCollection? made = null;
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>("people", true, database => made ??= new UserCollection(database))
            .AddPersistenceCollection<GadgetCollection, Gadget, long>("gadgets", true, database =>
            {
                _ = new UserCollection(database); // not the registered type: not checked against the description
                return new GadgetCollection(database);
            })
            .BuildServiceProvider();
        made = new UserCollection(provider.GetRequiredService<Database>());

        Assert.Equal("collectionName", Assert.Throws<InvalidOptionsException>(() => provider.GetRequiredService<UserCollection>()).Option);
        var gadgets = Assert.Throws<InvalidOptionsException>(() => provider.GetRequiredService<GadgetCollection>());
        Assert.Equal("hasExpiresAt", gadgets.Option); // the users collection, another name, was not refused for it
        Assert.Contains("GadgetCollection is registered as collection 'gadgets' with an [ExpiresAt] member", gadgets.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A factory that catches its collection's refusal and constructs it again has the second construction refused by
    /// its constructor as well, before it binds. The first construction used the description up, so the second bound the
    /// collection (its keyspaces created, its indexes built) before the check after the factory returned refused it.
    /// </summary>
    [Fact]
    public void A_collection_the_factory_constructs_again_after_a_refusal_is_refused_before_it_binds()
    {
        var refusals = new List<InvalidOptionsException>();
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>("people", hasExpiresAt: true, database =>
            {
                try
                {
                    return new UserCollection(database);
                }
                catch (InvalidOptionsException refused)
                {
                    refusals.Add(refused);
                    return new UserCollection(database); // a retry
                }
            })
            .BuildServiceProvider();

        var refused = Assert.Throws<InvalidOptionsException>(() => provider.GetRequiredService<UserCollection>());

        Assert.Equal("collectionName", Assert.Single(refusals).Option);
        Assert.Equal("collectionName", refused.Option);
        using var read = provider.GetRequiredService<Database>().BeginRead();
        Assert.DoesNotContain(read.GetKeyspaces(), keyspace => keyspace.Name.StartsWith("users", StringComparison.Ordinal)); // refused before it bound
    }

    /// <summary>
    /// A described registration's factory that resolves an undescribed registration of the same type (another
    /// database's collection) does not hold the collection the inner factory constructs to the outer description: that
    /// collection is built, and the outer one is still refused by its constructor, before it binds.
    /// </summary>
    [Fact]
    public void A_registration_without_a_description_resolved_inside_a_described_factory_is_not_held_to_it()
    {
        IServiceProvider? services = null;
        UserCollection? inner = null;
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddPersistence(TestServices.Small)
            .AddKeyedPersistence("cache", TestServices.Small("/sim/cache.db"))
            .AddKeyedPersistenceCollection<UserCollection, User, long>("cache", static database => new UserCollection(database))
            .AddPersistenceCollection<UserCollection, User, long>("people", hasExpiresAt: true, database =>
            {
                inner = services!.GetRequiredKeyedService<UserCollection>("cache"); // undescribed: not checked
                return new UserCollection(database);
            })
            .BuildServiceProvider();
        services = provider;

        var refused = Assert.Throws<InvalidOptionsException>(() => provider.GetRequiredService<UserCollection>());

        Assert.Equal("collectionName", refused.Option);
        Assert.NotNull(inner); // the refusal is the outer collection's
        Assert.Same(inner, provider.GetRequiredKeyedService<UserCollection>("cache"));
        using (var cache = provider.GetRequiredKeyedService<Database>("cache").BeginRead())
        {
            Assert.Contains(cache.GetKeyspaces(), keyspace => keyspace.Name == "users"); // built inside the outer factory
        }

        using var read = provider.GetRequiredService<Database>().BeginRead();
        Assert.DoesNotContain(read.GetKeyspaces(), keyspace => keyspace.Name.StartsWith("users", StringComparison.Ordinal)); // refused before it bound
    }

    [Fact]
    public void A_collection_registered_under_its_own_description_resolves()
    {
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>("users", hasExpiresAt: true, static database => new UserCollection(database))
            .AddPersistenceCollection<GadgetCollection, Gadget, long>("gadgets", hasExpiresAt: false, static database => new GadgetCollection(database))
            .BuildServiceProvider();

        Assert.Equal("users", provider.GetRequiredService<UserCollection>().Name);
        Assert.Equal("gadgets", provider.GetRequiredService<GadgetCollection>().Name);
    }

    /// <summary>
    /// Configuration keys ignore case, collection names do not: settings under <c>Collections:Users</c> for the
    /// collection <c>users</c> were dropped without a word, and its documents never expired.
    /// </summary>
    [Fact]
    public void Settings_for_a_collection_named_in_another_case_are_logged_as_applying_to_none()
    {
        var fs = new SimulatedFileSystem();
        var logger = new CapturingLogger();
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(fs, logger)
            .AddPersistence(options =>
            {
                TestServices.Small(options);
                options.Collections["Users"] = new PersistenceCollectionOptions { DefaultTimeToLive = TimeSpan.FromMinutes(1) };
            })
            .AddKeyedPersistence("cache", TestServices.Small("/sim/cache.db"))
            .AddPersistenceCollection<UserCollection, User, long>(static database => new UserCollection(database))
            .AddKeyedPersistenceCollection<UserCollection, User, long>("cache", static database => new UserCollection(database))
            .BuildServiceProvider();

        provider.GetRequiredService<UserCollection>();
        var warning = Assert.Single(logger.Entries, e => e.Event.Id == 108);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains("The settings under Persistence:Collections:Users apply to no collection", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"collection users of database (default) at {TestServices.Path}", warning.Message, StringComparison.Ordinal);

        provider.GetRequiredKeyedService<UserCollection>("cache"); // its own settings name no collection in another case
        Assert.Single(logger.Entries, e => e.Event.Id == 108);
    }

    [Fact]
    public void The_engine_logs_to_the_containers_logger_factory()
    {
        var fs = new SimulatedFileSystem();
        var logger = new CapturingLogger();
        using (var provider = TestServices.Build(fs, logger))
        {
            provider.GetRequiredService<Database>();
        }

        Assert.True(logger.Has(100)); // opening, from the DI layer
        Assert.True(logger.Has(1)); // opened, from the engine
        Assert.True(logger.Has(8)); // closed
    }

    [Fact]
    public void The_engine_meter_comes_from_the_containers_meter_factory()
    {
        var fs = new SimulatedFileSystem();
        using var provider = new ServiceCollection()
            .AddMetrics()
            .AddTestInfrastructure(fs)
            .AddPersistence(TestServices.Small)
            .BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only the meter created through the container's factory: a meter of the engine's own would have no scope.
            if (instrument.Meter.Name == "Persistence" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => measurements.AddOrUpdate(i.Name, v, (_, old) => old + v));
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => measurements[i.Name] = v);
        listener.Start();

        var users = new UserCollection(provider.GetRequiredService<Database>());
        users.Insert(new User { Id = 1, Email = "ada@example.com" });
        users.Insert(new User { Id = 2, Email = "grace@example.com" });
        listener.RecordObservableInstruments();

        Assert.Equal(3, measurements["persistence.commits"]); // the collection's keyspaces, then two inserts
        Assert.True(measurements["persistence.commit.duration"] >= 0);
        Assert.True(measurements["persistence.wal.size"] > 0);
        Assert.Equal(0, measurements["persistence.read_only"]);
    }

    [Fact]
    public void A_collection_without_AddPersistence_says_what_to_call()
    {
        using var provider = new ServiceCollection()
            .AddPersistenceCollection<UserCollection, User, long>(static database => new UserCollection(database))
            .BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(provider.GetRequiredService<UserCollection>);
        Assert.Contains("services.AddPersistence()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Calling_AddPersistence_twice_registers_the_database_once_and_adds_configuration()
    {
        var services = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddPersistence(TestServices.Small)
            .AddPersistence(o => o.PageSize = 8192);
        Assert.Single(services, d => d.ServiceType == typeof(Database));
        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IHostedService))); // the database service and the TTL collector, once each
        using var provider = services.BuildServiceProvider();
        Assert.Equal(8192, provider.GetRequiredService<Database>().PageSize);
    }

    /// <summary>
    /// A second registration from another section kept the first one's section name, so validation named settings
    /// under a section they were not read from (and both sections' values were bound, mixed).
    /// </summary>
    [Fact]
    public void A_second_registration_from_another_section_is_refused_naming_both()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Main:Path"] = "/sim/main.db",
            ["Storage:Other:Path"] = "/sim/other.db",
        }).Build();

        var services = new ServiceCollection().AddPersistence(configuration.GetSection("Storage:Main"));
        var error = Assert.Throws<InvalidOperationException>(() => services.AddPersistence(configuration.GetSection("Storage:Other")));
        Assert.Contains("'Storage:Main'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Storage:Other'", error.Message, StringComparison.Ordinal);
        Assert.Contains("the default database", error.Message, StringComparison.Ordinal);

        services = new ServiceCollection().AddKeyedPersistence("cache", configuration.GetSection("Storage:Main"));
        error = Assert.Throws<InvalidOperationException>(() => services.AddKeyedPersistence("cache", configuration.GetSection("Storage:Other")));
        Assert.Contains("database \"cache\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Storage:Main'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The configure-only overloads add settings to a database registered from a section (the README's
    /// <c>AddKeyedPersistence("cache", section)</c> then <c>AddKeyedPersistence("cache", o => ...)</c>, or a test
    /// host overriding the path): they were refused, since they counted as a registration from the conventional
    /// section. They bind nothing of that section (the container's <c>Persistence</c> here names another file).
    /// </summary>
    [Fact]
    public void A_configure_only_registration_after_one_from_a_section_adds_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Main:Path"] = "/sim/main.db",
            ["Storage:Cache:Path"] = "/sim/cache.db",
            ["Persistence:Path"] = "/sim/conventional.db",
            ["Persistence:Databases:cache:Path"] = "/sim/conventional-cache.db",
        }).Build();
        var services = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddSingleton<IConfiguration>(configuration)
            .AddPersistence(configuration.GetSection("Storage:Main"), o => TestServices.Small("/sim/main.db")(o))
            .AddPersistence(o => o.PageSize = 8192)
            .AddKeyedPersistence("cache", configuration.GetSection("Storage:Cache"), o => TestServices.Small("/sim/cache.db")(o))
            .AddKeyedPersistence("cache", o => o.PageSize = 8192);
        using var provider = services.BuildServiceProvider();
        var database = provider.GetRequiredService<Database>();
        Assert.Equal("/sim/main.db", database.Path);
        Assert.Equal(8192, database.PageSize);
        var cache = provider.GetRequiredKeyedService<Database>("cache");
        Assert.Equal("/sim/cache.db", cache.Path);
        Assert.Equal(8192, cache.PageSize);
    }

    /// <summary>
    /// A library's <c>AddPersistence()</c> (or <c>AddKeyedPersistence(key)</c>) and the application's registration from
    /// its own section: the section given wins, the conventional one is no longer bound (no mixing of the two), and
    /// validation names the settings under the section given. It was refused.
    /// </summary>
    [Fact]
    public void A_registration_from_a_section_after_a_conventional_one_replaces_the_convention()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Main:Path"] = "/sim/main.db",
            ["Storage:Cache:PageSize"] = "1000",
            ["Persistence:PageSize"] = "1000",
            ["Persistence:Databases:cache:Path"] = "/sim/conventional-cache.db",
        }).Build();
        var services = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddSingleton<IConfiguration>(configuration)
            .AddPersistence(o => TestServices.Small("/sim/library.db")(o))
            .AddPersistence(configuration.GetSection("Storage:Main"))
            .AddKeyedPersistence("cache", o => TestServices.Small("/sim/cache.db")(o))
            .AddKeyedPersistence("cache", configuration.GetSection("Storage:Cache"));
        using var provider = services.BuildServiceProvider();
        var database = provider.GetRequiredService<Database>();
        Assert.Equal("/sim/main.db", database.Path);
        Assert.Equal(4096, database.PageSize); // Persistence:PageSize (1000) was not bound
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredKeyedService<Database>("cache"));
        Assert.Contains("Storage:Cache:PageSize", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Persistence:Databases:cache", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, provider.GetRequiredService<DatabaseRegistry>().Databases.Count);
    }

    /// <summary>The same section again (configuration keys ignore case) only adds configuration, as a second AddPersistence() does.</summary>
    [Fact]
    public void A_second_registration_from_the_same_section_adds_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Main:Path"] = "/sim/main.db",
        }).Build();
        var services = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddPersistence(configuration.GetSection("Storage:Main"), TestServices.Small)
            .AddPersistence(configuration.GetSection("storage:main"), o => o.PageSize = 8192);
        Assert.Single(services, d => d.ServiceType == typeof(Database));
        using var provider = services.BuildServiceProvider();
        var database = provider.GetRequiredService<Database>();
        Assert.Equal("/sim/main.db", database.Path);
        Assert.Equal(8192, database.PageSize);
    }

    [Theory]
    [InlineData("data/app.db", "/srv/app/data/app.db")]
    [InlineData("/var/lib/app.db", "/var/lib/app.db")]
    public void A_relative_path_is_resolved_against_the_content_root(string configured, string expected)
    {
        var environment = new TestEnvironment { ContentRootPath = "/srv/app" };
        Assert.Equal(expected, DatabaseActivator.ResolvePath(configured, environment));
    }

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "Test";

        public string ContentRootPath { get; set; } = "";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
