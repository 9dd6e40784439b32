using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Persistence.Collections;
using Persistence.DependencyInjection;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.DependencyInjection;

/// <summary>
/// Several databases in one container: keyed singletons (<c>AddKeyedPersistence</c>) beside the default one, each with
/// its named options, its own file and its own keyed collections.
/// </summary>
public sealed class KeyedPersistenceTests
{
    private const string CachePath = "/sim/cache.db";
    private const string AuditPath = "/sim/audit.db";

    private readonly SimulatedFileSystem _fs = new();
    private readonly CapturingLogger _logger = new();

    [Fact]
    public void Keyed_databases_and_the_default_one_are_separate_singletons_with_their_own_options()
    {
        using var provider = Services()
            .AddKeyedPersistence("audit", o =>
            {
                TestServices.Small(AuditPath)(o);
                o.PageSize = 8192;
            })
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var main = provider.GetRequiredService<Database>();
        var cache = provider.GetRequiredKeyedService<Database>("cache");
        var audit = provider.GetRequiredKeyedService<Database>("audit");

        Assert.Same(cache, provider.GetRequiredKeyedService<Database>("cache"));
        Assert.Equal(3, new HashSet<Database>([main, cache, audit]).Count);
        Assert.Equal(new[] { TestServices.Path, CachePath, AuditPath }, new[] { main.Path!, cache.Path!, audit.Path! });
        Assert.Equal(4096, cache.PageSize);
        Assert.Equal(8192, audit.PageSize); // its own options: the others keep theirs
        Assert.Equal(4096, main.PageSize);
    }

    [Fact]
    public void Each_collection_writes_to_the_file_of_its_own_database()
    {
        using (var provider = Services()
            .AddKeyedPersistence("audit", TestServices.Small(AuditPath))
            .AddPersistenceCollection<UserCollection, User, long>(static database => new UserCollection(database))
            .AddKeyedPersistenceCollection<UserCollection, User, long>("cache", static database => new UserCollection(database))
            .AddKeyedPersistenceCollection<UserCollection, User, long>("audit", static database => new UserCollection(database))
            .AddSingleton<Consumer>()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }))
        {
            var consumer = provider.GetRequiredService<Consumer>();
            Assert.Same(provider.GetRequiredKeyedService<UserCollection>("cache"), consumer.Cache);
            Assert.Same(provider.GetRequiredKeyedService<Database>("cache"), consumer.Cache.Database);
            Assert.Same(provider.GetRequiredKeyedService<Database>("audit"), consumer.Audit.Database);
            Assert.Same(provider.GetRequiredService<Database>(), consumer.Main.Database);
            Assert.NotSame(consumer.Main, consumer.Cache);

            consumer.Main.Insert(User(1));
            consumer.Cache.Insert(User(2));
            consumer.Audit.Insert(User(3));
            Assert.Equal([2L], consumer.Cache.All().Select(u => u.Id));
        }

        foreach (var (path, id) in new[] { (TestServices.Path, 1L), (CachePath, 2L), (AuditPath, 3L) })
        {
            using var reopened = TestServices.Reopen(_fs, path);
            Assert.Equal([id], new UserCollection(reopened).All().Select(u => u.Id));
            TestDatabases.AssertConsistent(reopened);
        }
    }

    [Fact]
    public void Keyed_options_bind_from_their_own_section_and_never_from_the_default_ones()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Persistence:Path"] = "main.db",
            ["Persistence:PageSize"] = "16384",
            ["Persistence:Databases:cache:Path"] = "cache.db",
            ["Persistence:Databases:cache:Ttl:BatchSize"] = "50",
            ["Persistence:Databases:cache:Collections:sessions:DefaultTimeToLive"] = "00:20:00",
        }).Build();
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddPersistence()
            .AddKeyedPersistence("cache", o => o.CheckpointWalBytes = 2 << 20)
            .BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<PersistenceOptions>>();

        var cache = monitor.Get("cache");
        Assert.Equal("cache.db", cache.Path);
        Assert.Equal(8192, cache.PageSize); // not the default database's 16384
        Assert.Equal(50, cache.Ttl.BatchSize);
        Assert.Equal(TimeSpan.FromMinutes(20), cache.Collections["sessions"].DefaultTimeToLive);
        Assert.Equal(2L << 20, cache.CheckpointWalBytes); // code runs after binding

        var main = provider.GetRequiredService<IOptions<PersistenceOptions>>().Value;
        Assert.Equal("main.db", main.Path);
        Assert.Equal(16384, main.PageSize);
        Assert.Equal(new TtlOptions().BatchSize, main.Ttl.BatchSize);
        Assert.Empty(main.Collections);
        Assert.Equal(new PersistenceOptions().CheckpointWalBytes, main.CheckpointWalBytes);
    }

    [Fact]
    public void A_keyed_database_binds_from_the_section_it_is_given()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Cache:Path"] = CachePath,
            ["Storage:Cache:PageSize"] = "4096",
            ["Storage:Cache:WalSegmentBytes"] = "65536",
            ["Persistence:Databases:cache:PageSize"] = "16384", // not the given section: ignored
        }).Build();
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(_fs)
            .AddSingleton<IConfiguration>(configuration)
            .AddKeyedPersistence("cache", configuration.GetSection("Storage:Cache"), o => o.CheckpointWalBytes = 1 << 20)
            .BuildServiceProvider();

        var cache = provider.GetRequiredKeyedService<Database>("cache");
        Assert.Equal(CachePath, cache.Path);
        Assert.Equal(4096, cache.PageSize);
        Assert.Equal(1 << 20, provider.GetRequiredService<IOptionsMonitor<PersistenceOptions>>().Get("cache").CheckpointWalBytes);
    }

    [Fact]
    public void A_keyed_database_needs_no_default_one()
    {
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(_fs)
            .AddKeyedPersistence("cache", TestServices.Small(CachePath))
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.Null(provider.GetService<Database>());
        Assert.Equal(CachePath, provider.GetRequiredKeyedService<Database>("cache").Path);
        Assert.Contains(CachePath, _fs.AllFiles());
        Assert.DoesNotContain(TestServices.Path, _fs.AllFiles());
    }

    [Fact]
    public void Calling_AddKeyedPersistence_twice_registers_the_database_once_and_adds_configuration()
    {
        var services = Services().AddKeyedPersistence("cache", o => o.PageSize = 8192);

        Assert.Single(services, d => d.ServiceType == typeof(Database) && d.IsKeyedService && Equals(d.ServiceKey, "cache"));
        Assert.Single(services, d => d.ServiceType == typeof(Database) && !d.IsKeyedService);
        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IHostedService))); // one of each for every database
        using var provider = services.BuildServiceProvider();
        Assert.Equal(8192, provider.GetRequiredKeyedService<Database>("cache").PageSize);
    }

    [Fact]
    public void A_keyed_collection_without_its_database_says_what_to_call()
    {
        using var provider = Services()
            .AddKeyedPersistenceCollection<UserCollection, User, long>("audit", static database => new UserCollection(database))
            .BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredKeyedService<IRepository<User, long>>("audit"));
        Assert.Contains("services.AddKeyedPersistence(\"audit\")", error.Message, StringComparison.Ordinal);
        Assert.Contains("Persistence:Databases:audit:Path", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Configuration keys ignore case, service keys do not: "cache" and "Cache" were two databases bound from the one
    /// section Persistence:Databases:cache, so each silently took the other's settings (and their health checks,
    /// "persistence-cache" and "persistence-Cache", are one name to the health-check service).
    /// </summary>
    [Fact]
    public void Keys_differing_only_in_case_are_refused_at_registration()
    {
        var services = Services(); // "cache" registered
        var count = services.Count;

        var error = Assert.Throws<InvalidOperationException>(() => services.AddKeyedPersistence("Cache", TestServices.Small("/sim/b.db")));
        Assert.Contains("\"Cache\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"cache\"", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => services.AddKeyedPersistence("CACHE", new ConfigurationBuilder().Build().GetSection("Other")));
        Assert.Equal(count, services.Count);

        services.AddKeyedPersistence("cache", o => o.PageSize = 8192); // the same key again only adds configuration
        using var provider = services.BuildServiceProvider();
        Assert.Equal(8192, provider.GetRequiredKeyedService<Database>("cache").PageSize);
    }

    [Fact]
    public void An_empty_key_and_a_key_holding_a_section_separator_are_refused()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddKeyedPersistence(""));
        Assert.Throws<ArgumentException>(() => services.AddKeyedPersistence(" ", new ConfigurationBuilder().Build().GetSection("x")));
        Assert.Throws<ArgumentException>(() => services.AddKeyedPersistenceCollection<UserCollection, User, long>("", static database => new UserCollection(database)));

        // ':' separates configuration sections: "eu:cache" would bind Persistence:Databases:eu:cache, a nested section.
        var nested = Assert.Throws<ArgumentException>(() => services.AddKeyedPersistence("eu:cache"));
        Assert.Contains("AddKeyedPersistence(key, section)", nested.Message, StringComparison.Ordinal);
        Assert.Empty(services);
        services.AddKeyedPersistence("eu:cache", new ConfigurationBuilder().Build().GetSection("Cache"));
        Assert.NotEmpty(services);
    }

    [Fact]
    public void The_hosting_layer_names_each_database_in_its_messages()
    {
        using (var provider = Services()
            .AddPersistenceCollection<UserCollection, User, long>(static database => new UserCollection(database))
            .AddKeyedPersistenceCollection<UserCollection, User, long>("cache", static database => new UserCollection(database))
            .BuildServiceProvider())
        {
            provider.GetRequiredService<UserCollection>();
            provider.GetRequiredKeyedService<UserCollection>("cache");
        }

        var opening = _logger.Entries.Where(e => e.Event.Id == 100).Select(e => e.Message).ToList();
        Assert.Contains(opening, m => m.StartsWith($"Opening database cache at {CachePath}", StringComparison.Ordinal));
        Assert.Contains(opening, m => m.StartsWith($"Opening database (default) at {TestServices.Path}", StringComparison.Ordinal));
        var bound = _logger.Entries.Where(e => e.Event.Id == 101).Select(e => e.Message).ToList();
        Assert.Contains($"Collection users (UserCollection) bound to database cache at {CachePath}", bound);
        Assert.Contains($"Collection users (UserCollection) bound to database (default) at {TestServices.Path}", bound);
    }

    /// <summary>The default database and the keyed one <c>cache</c>, with the capturing logger.</summary>
    private IServiceCollection Services() =>
        new ServiceCollection()
            .AddTestInfrastructure(_fs, _logger)
            .AddPersistence(TestServices.Small)
            .AddKeyedPersistence("cache", TestServices.Small(CachePath));

    private static User User(long id) => new() { Id = id, Email = $"user{id}@example.com" };

    /// <summary>A service taking repositories of several databases, as applications write them.</summary>
    private sealed class Consumer(
        IRepository<User, long> main,
        [FromKeyedServices("cache")] IRepository<User, long> cache,
        [FromKeyedServices("audit")] UserCollection audit)
    {
        public IRepository<User, long> Main { get; } = main;

        public IRepository<User, long> Cache { get; } = cache;

        public UserCollection Audit { get; } = audit;
    }
}
