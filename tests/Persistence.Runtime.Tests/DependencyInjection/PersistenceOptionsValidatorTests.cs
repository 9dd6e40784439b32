using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Persistence.DependencyInjection;
using Persistence.Testing;

namespace Persistence.Tests.DependencyInjection;

/// <summary>Every rule of the options validator fails with a message that names the configuration key and says how to fix it.</summary>
public sealed class PersistenceOptionsValidatorTests
{
    public static TheoryData<string, Action<PersistenceOptions>, string[]> Broken => new()
    {
        { "no path", o => o.Path = "", ["Persistence:Path is empty", "appsettings.json under \"Persistence\""] },
        { "blank path", o => o.Path = "  ", ["Persistence:Path is empty"] },
        { "bad path", o => o.Path = "a\0b", ["Persistence:Path", "not allowed in a path"] },
        { "folder path", o => o.Path = "data/", ["Persistence:Path \"data/\" names a folder", "such as \"data/app.db\""] },
        { "dot path", o => o.Path = ".", ["Persistence:Path \".\" names a folder", "such as \"./app.db\""] },
        { "dot-dot path", o => o.Path = "..", ["Persistence:Path \"..\" names a folder", "such as \"../app.db\""] },
        { "path ending in dot-dot", o => o.Path = "data/..", ["Persistence:Path \"data/..\" names a folder", "such as \"data/../app.db\""] },
        { "page size", o => o.PageSize = 5000, ["Persistence:PageSize is 5000", "power of two from 4096 to 65536"] },
        { "page cache", o => o.PageCacheBytes = 4096, ["Persistence:PageCacheBytes is 4096", "at least 16 pages"] },
        { "durability none", o => o.DefaultDurability = Durability.None, ["Persistence:DefaultDurability is None", "\"Durable\""] },
        { "durability undefined", o => o.DefaultDurability = (Durability)42, ["Persistence:DefaultDurability is 42"] },
        { "checkpoint bytes", o => o.CheckpointWalBytes = 1000, ["Persistence:CheckpointWalBytes is 1000", "at least 1048576"] },
        { "checkpoint interval", o => o.CheckpointInterval = TimeSpan.Zero, ["Persistence:CheckpointInterval", "positive time span"] },
        { "segment small", o => o.WalSegmentBytes = 1024, ["Persistence:WalSegmentBytes is 1024", "from 65536"] },
        { "segment large", o => o.WalSegmentBytes = int.MaxValue, ["Persistence:WalSegmentBytes is 2147483647"] },
        { "flush delay zero", o => o.BufferedFlushDelay = TimeSpan.Zero, ["Persistence:BufferedFlushDelay", "at most ten seconds"] },
        { "flush delay long", o => o.BufferedFlushDelay = TimeSpan.FromMinutes(1), ["Persistence:BufferedFlushDelay is 00:01:00"] },
        { "ttl interval", o => o.Ttl.CollectorInterval = TimeSpan.Zero, ["Persistence:Ttl:CollectorInterval", "positive time span"] },
        { "ttl batch zero", o => o.Ttl.BatchSize = 0, ["Persistence:Ttl:BatchSize is 0", "from 1 to 1000000"] },
        { "ttl batch huge", o => o.Ttl.BatchSize = 1_000_001, ["Persistence:Ttl:BatchSize is 1000001"] },
        { "ttl share tiny", o => o.Ttl.MaxCollectorShare = 1e-12, ["Persistence:Ttl:MaxCollectorShare is 1E-12", "from 0.01 to 1", "0.5 (the default)"] },
        { "ttl share NaN", o => o.Ttl.MaxCollectorShare = double.NaN, ["Persistence:Ttl:MaxCollectorShare is NaN"] },
        { "ttl share above one", o => o.Ttl.MaxCollectorShare = 1.5, ["Persistence:Ttl:MaxCollectorShare is 1.5"] },
        { "ttl null", o => o.Ttl = null!, ["Persistence:Ttl is null"] },
        { "collection name", o => o.Collections["no spaces"] = new(), ["Persistence:Collections:no spaces", "not a collection name"] },
        { "collection null", o => o.Collections["users"] = null!, ["Persistence:Collections:users is empty"] },
        { "collections null", o => o.Collections = null!, ["Persistence:Collections is null"] },
        { "default ttl", o => o.Collections["users"] = new() { DefaultTimeToLive = TimeSpan.FromSeconds(-1) }, ["Persistence:Collections:users:DefaultTimeToLive", "positive time span"] },
        { "default ttl too long", o => o.Collections["users"] = new() { DefaultTimeToLive = TimeSpan.MaxValue }, ["Persistence:Collections:users:DefaultTimeToLive is 10675199.02:48:05.4775807", "at most \"36500.00:00:00\"", "remove it"] },
        { "sliding without ttl", o => o.Collections["users"] = new() { SlidingExpiration = true }, ["Persistence:Collections:users:SlidingExpiration is true but DefaultTimeToLive is not set"] },
        { "hot cache count", o => o.Collections["users"] = new() { HotCache = { MaxCount = -1 } }, ["Persistence:Collections:users:HotCache:MaxCount is -1"] },
        { "hot cache bytes", o => o.Collections["users"] = new() { HotCache = { MaxBytes = -5 } }, ["Persistence:Collections:users:HotCache:MaxBytes is -5"] },
        { "hot cache ttl", o => o.Collections["users"] = new() { HotCache = { TimeToLive = TimeSpan.Zero } }, ["Persistence:Collections:users:HotCache:TimeToLive"] },
        { "hot cache null", o => o.Collections["users"] = new() { HotCache = null! }, ["Persistence:Collections:users:HotCache is null"] },
        { "flat hot cache count", o => o.Collections["users"] = new() { HotCacheMaxCount = -1 }, ["Persistence:Collections:users:HotCacheMaxCount is -1"] },
        { "flat hot cache bytes", o => o.Collections["users"] = new() { HotCacheMaxBytes = -5 }, ["Persistence:Collections:users:HotCacheMaxBytes is -5"] },
        { "flat hot cache ttl", o => o.Collections["users"] = new() { HotCacheTimeToLive = TimeSpan.Zero }, ["Persistence:Collections:users:HotCacheTimeToLive"] },
        { "hot cache count twice", o => o.Collections["users"] = new() { HotCacheMaxCount = 10, HotCache = { MaxCount = 20 } }, ["Persistence:Collections:users:HotCacheMaxCount is 10 and Persistence:Collections:users:HotCache:MaxCount is 20", "keep one"] },
        { "hot cache bytes twice", o => o.Collections["users"] = new() { HotCacheMaxBytes = 10, HotCache = { MaxBytes = 20 } }, ["Persistence:Collections:users:HotCacheMaxBytes is 10 and Persistence:Collections:users:HotCache:MaxBytes is 20"] },
        { "hot cache ttl twice", o => o.Collections["users"] = new() { HotCacheTimeToLive = TimeSpan.FromMinutes(1), HotCache = { TimeToLive = TimeSpan.FromMinutes(2) } }, ["Persistence:Collections:users:HotCacheTimeToLive is 00:01:00 and Persistence:Collections:users:HotCache:TimeToLive is 00:02:00"] },
        { "health wal", o => o.HealthCheck.MaxWalBytesSinceCheckpoint = o.CheckpointWalBytes, ["Persistence:HealthCheck:MaxWalBytesSinceCheckpoint", "not above CheckpointWalBytes"] },
        { "health age", o => o.HealthCheck.MaxOldestSnapshotAge = TimeSpan.Zero, ["Persistence:HealthCheck:MaxOldestSnapshotAge"] },
        { "health pinned", o => o.HealthCheck.MaxPinnedBytes = 0, ["Persistence:HealthCheck:MaxPinnedBytes is 0"] },
        { "health null", o => o.HealthCheck = null!, ["Persistence:HealthCheck is null"] },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Each_rule_names_the_setting_and_the_fix(string rule, Action<PersistenceOptions> breakIt, string[] expected)
    {
        var options = new PersistenceOptions { Path = "data/app.db" };
        breakIt(options);
        var result = new PersistenceOptionsValidator().Validate(Options.DefaultName, options);
        Assert.True(result.Failed, rule);
        var failure = Assert.Single(result.Failures!);
        foreach (var text in expected)
        {
            Assert.Contains(text, failure, StringComparison.Ordinal);
        }
    }

    /// <summary>A checkpoint threshold above 256 MiB is a valid engine setting: the health check's default no longer refuses it.</summary>
    [Fact]
    public void A_checkpoint_threshold_above_the_old_health_default_is_valid()
    {
        var options = new PersistenceOptions { Path = "data/app.db", CheckpointWalBytes = 512L << 20 };
        var result = new PersistenceOptionsValidator().Validate(Options.DefaultName, options);
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Defaults_with_a_path_are_valid_and_match_the_engine()
    {
        var options = new PersistenceOptions { Path = "data/app.db" };
        Assert.True(new PersistenceOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
        var engine = new DatabaseOptions();
        Assert.Equal(engine.PageSize, options.PageSize);
        Assert.Equal(engine.PageCacheBytes, options.PageCacheBytes);
        Assert.Equal(engine.DefaultDurability, options.DefaultDurability);
        Assert.Equal(engine.CheckpointWalBytes, options.CheckpointWalBytes);
        Assert.Equal(engine.CheckpointInterval, options.CheckpointInterval);
        Assert.Equal(engine.WalSegmentBytes, options.WalSegmentBytes);
        Assert.Equal(engine.BufferedFlushDelay, options.BufferedFlushDelay);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new PersistenceOptions { PageSize = 3, CheckpointInterval = TimeSpan.Zero };
        var result = new PersistenceOptionsValidator().Validate(Options.DefaultName, options);
        Assert.Equal(3, result.Failures!.Count());
    }

    [Fact]
    public void Without_a_host_the_first_resolve_fails_and_names_the_problem()
    {
        using var provider = TestServices.Build(new SimulatedFileSystem(), configure: o => o.Path = "");
        var error = Assert.Throws<OptionsValidationException>(provider.GetRequiredService<Database>);
        Assert.Contains("Persistence:Path is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_does_not_start_with_invalid_options_and_opens_nothing()
    {
        var fs = new SimulatedFileSystem();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddTestInfrastructure(fs).AddPersistence(o =>
        {
            TestServices.Small(o);
            o.PageSize = 1000;
        });
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Persistence:PageSize is 1000", error.Message, StringComparison.Ordinal);
        Assert.Empty(fs.AllFiles());
    }

    [Fact]
    public void A_keyed_database_names_its_settings_by_its_section_and_its_registration()
    {
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddKeyedPersistence("cache", o =>
            {
                TestServices.Small(o);
                o.Path = "";
                o.Ttl.BatchSize = 0;
            })
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<Database>("cache"));

        Assert.Equal("cache", error.OptionsName);
        Assert.Contains("Persistence:Databases:cache:Path is empty: set it in appsettings.json under \"Persistence:Databases:cache\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddKeyedPersistence(\"cache\", o => o.Path = ...)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Persistence:Databases:cache:Ttl:BatchSize is 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_database_bound_from_a_given_section_names_its_settings_under_that_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Cache:Path"] = "/sim/cache.db",
            ["Storage:Cache:PageSize"] = "1000",
        }).Build();
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddKeyedPersistence("cache", configuration.GetSection("Storage:Cache"))
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<Database>("cache"));

        Assert.Contains("Storage:Cache:PageSize is 1000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_databases_on_one_file_stop_the_host_with_one_error_naming_both()
    {
        var fs = new SimulatedFileSystem();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddTestInfrastructure(fs)
            .AddPersistence(TestServices.Small)
            .AddKeyedPersistence("cache", TestServices.Small("/sim/cache.db"))
            .AddKeyedPersistence("sessions", TestServices.Small(TestServices.Path));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal("sessions", error.OptionsName);
        var failure = Assert.Single(error.Failures);
        Assert.Contains($"Persistence:Databases:sessions:Path resolves to {TestServices.Path}, the file of the default database (Persistence:Path) too", failure, StringComparison.Ordinal);
        Assert.Contains("Give database \"sessions\" and the default database paths of their own", failure, StringComparison.Ordinal);
        Assert.Empty(fs.AllFiles()); // nothing opened
    }

    [Fact]
    public async Task A_relative_and_an_absolute_path_to_one_file_are_the_same_file()
    {
        using var contentRoot = new TempDirectory();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = contentRoot.Path });
        builder.Services.AddTestInfrastructure(new SimulatedFileSystem())
            .AddKeyedPersistence("orders", TestServices.Small("data/shared.db"))
            .AddKeyedPersistence("archive", TestServices.Small(contentRoot.File("data/shared.db")));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"Persistence:Databases:archive:Path resolves to {contentRoot.File("data/shared.db")}, the file of database \"orders\" (Persistence:Databases:orders:Path) too", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_host_the_later_of_two_databases_on_one_file_fails_on_first_resolve()
    {
        using var provider = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddKeyedPersistence("first", TestServices.Small("/sim/one.db"))
            .AddKeyedPersistence("second", TestServices.Small("/sim/other.db"))
            .AddKeyedPersistence("third", TestServices.Small("/sim/one.db"))
            .BuildServiceProvider();

        Assert.Equal("/sim/one.db", provider.GetRequiredKeyedService<Database>("first").Path);
        Assert.Equal("/sim/other.db", provider.GetRequiredKeyedService<Database>("second").Path);
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<Database>("third"));
        Assert.Contains("the file of database \"first\" (Persistence:Databases:first:Path)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("second", error.Message, StringComparison.Ordinal);
    }
}
