using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Persistence.DependencyInjection;
using Persistence.Testing;

namespace Persistence.Tests.DependencyInjection;

/// <summary>PersistenceOptions bind from the Persistence section: every engine setting, Ttl, Collections and HealthCheck.</summary>
public sealed class PersistenceOptionsBindingTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Persistence:Path"] = "data/bound.db",
        ["Persistence:PageSize"] = "16384",
        ["Persistence:PageCacheBytes"] = "33554432",
        ["Persistence:DefaultDurability"] = "Buffered",
        ["Persistence:CheckpointWalBytes"] = "2097152",
        ["Persistence:CheckpointInterval"] = "00:00:30",
        ["Persistence:WalSegmentBytes"] = "1048576",
        ["Persistence:BufferedFlushDelay"] = "00:00:00.250",
        ["Persistence:Ttl:CollectorInterval"] = "00:00:10",
        ["Persistence:Ttl:BatchSize"] = "50",
        ["Persistence:Collections:sessions:DefaultTimeToLive"] = "00:20:00",
        ["Persistence:Collections:sessions:SlidingExpiration"] = "true",
        ["Persistence:Collections:sessions:HotCache:MaxCount"] = "100",
        ["Persistence:Collections:sessions:HotCache:MaxBytes"] = "1048576",
        ["Persistence:Collections:sessions:HotCache:TimeToLive"] = "00:01:00",
        ["Persistence:HealthCheck:MaxWalBytesSinceCheckpoint"] = "8388608",
        ["Persistence:HealthCheck:MaxOldestSnapshotAge"] = "00:02:00",
        ["Persistence:HealthCheck:MaxPinnedBytes"] = "4096",
    };

    [Fact]
    public void Binds_from_the_containers_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddPersistence().BuildServiceProvider();
        AssertBound(provider.GetRequiredService<IOptions<PersistenceOptions>>().Value);
    }

    [Fact]
    public void Binds_from_a_json_file_section()
    {
        using var directory = new TempDirectory();
        var file = directory.File("appsettings.json");
        File.WriteAllText(file, """
            {
              "Persistence": {
                "Path": "data/bound.db",
                "PageSize": 16384,
                "PageCacheBytes": 33554432,
                "DefaultDurability": "Buffered",
                "CheckpointWalBytes": 2097152,
                "CheckpointInterval": "00:00:30",
                "WalSegmentBytes": 1048576,
                "BufferedFlushDelay": "00:00:00.250",
                "Ttl": { "CollectorInterval": "00:00:10", "BatchSize": 50 },
                "Collections": {
                  "sessions": {
                    "DefaultTimeToLive": "00:20:00",
                    "SlidingExpiration": true,
                    "HotCache": { "MaxCount": 100, "MaxBytes": 1048576, "TimeToLive": "00:01:00" }
                  }
                },
                "HealthCheck": { "MaxWalBytesSinceCheckpoint": 8388608, "MaxOldestSnapshotAge": "00:02:00", "MaxPinnedBytes": 4096 }
              }
            }
            """);
        var configuration = new ConfigurationBuilder().AddJsonFile(file).Build();
        using var provider = new ServiceCollection().AddPersistence(configuration.GetSection("Persistence")).BuildServiceProvider();
        AssertBound(provider.GetRequiredService<IOptions<PersistenceOptions>>().Value);
    }

    [Fact]
    public void Code_configuration_applies_after_binding()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        using var provider = new ServiceCollection()
            .AddPersistence(configuration.GetSection("Persistence"), o => o.PageSize = 8192)
            .BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<PersistenceOptions>>().Value;
        Assert.Equal(8192, options.PageSize);
        Assert.Equal("data/bound.db", options.Path);
    }

    [Fact]
    public void Unset_settings_keep_the_defaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Persistence:Path"] = "x.db" }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddPersistence().BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<PersistenceOptions>>().Value;
        Assert.Equal("x.db", options.Path);
        Assert.Equal(8192, options.PageSize);
        Assert.Equal(new TtlOptions().CollectorInterval, options.Ttl.CollectorInterval);
        Assert.Empty(options.Collections);
    }

    /// <summary>
    /// The engine's <see cref="CollectionOptions"/> names its hot-cache settings flat (HotCacheMaxCount), configuration
    /// nests them (HotCache:MaxCount); configuration written in the engine's shape takes effect too, instead of being
    /// ignored, and either shape alone gives the engine the same settings.
    /// </summary>
    [Theory]
    [InlineData("HotCacheMaxCount", "HotCacheMaxBytes", "HotCacheTimeToLive")]
    [InlineData("HotCache:MaxCount", "HotCache:MaxBytes", "HotCache:TimeToLive")]
    public void The_hot_cache_binds_from_the_nested_and_from_the_engines_flat_names(string count, string bytes, string timeToLive)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Persistence:Path"] = "x.db",
            [$"Persistence:Collections:sessions:{count}"] = "100",
            [$"Persistence:Collections:sessions:{bytes}"] = "1048576",
            [$"Persistence:Collections:sessions:{timeToLive}"] = "00:01:00",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddPersistence().BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<PersistenceOptions>>().Value;

        var engine = options.ToDatabaseOptions(TimeProvider.System, null, null).Collections["sessions"];
        Assert.Equal(100, engine.HotCacheMaxCount);
        Assert.Equal(1L << 20, engine.HotCacheMaxBytes);
        Assert.Equal(TimeSpan.FromMinutes(1), engine.HotCacheTimeToLive);
    }

    [Fact]
    public void Both_hot_cache_shapes_with_one_value_are_valid_and_with_two_are_refused_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Persistence:Path"] = "x.db",
            ["Persistence:Collections:sessions:HotCacheMaxCount"] = "100",
            ["Persistence:Collections:sessions:HotCache:MaxCount"] = "100",
            ["Persistence:Collections:carts:HotCacheMaxCount"] = "100",
            ["Persistence:Collections:carts:HotCache:MaxCount"] = "200",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddPersistence().BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PersistenceOptions>>().Value);
        var failure = Assert.Single(refused.Failures);
        Assert.StartsWith("Persistence:Collections:carts:HotCacheMaxCount is 100 and Persistence:Collections:carts:HotCache:MaxCount is 200", failure, StringComparison.Ordinal);
    }

    /// <summary>
    /// A value from the configuration that is out of range, or that does not convert to its setting's type, stops the
    /// host at start with an error naming the setting by its full key, before any database opens. A guard: it passes
    /// on the current code (conversions fail in the binder, with an InvalidOperationException naming the key; ranges
    /// in the validator).
    /// </summary>
    [Theory]
    [InlineData("DefaultDurability", "Fast", false)]
    [InlineData("PageSize", "large", false)]
    [InlineData("CheckpointInterval", "soon", false)]
    [InlineData("PageCacheBytes", "-5", true)]
    [InlineData("WalSegmentBytes", "-65536", true)]
    [InlineData("BufferedFlushDelay", "-00:00:01", true)]
    [InlineData("Ttl:BatchSize", "-1", true)]
    public async Task An_invalid_value_from_the_configuration_stops_the_host_at_start_naming_its_key(string setting, string value, bool outOfRange)
    {
        var fs = new SimulatedFileSystem();
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Persistence:Databases:cache:Path"] = "/sim/cache.db",
            [$"Persistence:Databases:cache:{setting}"] = value,
        });
        builder.Services.AddTestInfrastructure(fs).AddKeyedPersistence("cache");
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.IsType(outOfRange ? typeof(OptionsValidationException) : typeof(InvalidOperationException), error);
        Assert.Contains($"Persistence:Databases:cache:{setting}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/sim/cache.db", fs.AllFiles());
    }

    private static void AssertBound(PersistenceOptions options)
    {
        Assert.Equal("data/bound.db", options.Path);
        Assert.Equal(16384, options.PageSize);
        Assert.Equal(32L << 20, options.PageCacheBytes);
        Assert.Equal(Durability.Buffered, options.DefaultDurability);
        Assert.Equal(2L << 20, options.CheckpointWalBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CheckpointInterval);
        Assert.Equal(1 << 20, options.WalSegmentBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.BufferedFlushDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Ttl.CollectorInterval);
        Assert.Equal(50, options.Ttl.BatchSize);
        var sessions = options.Collections["sessions"];
        Assert.Equal(TimeSpan.FromMinutes(20), sessions.DefaultTimeToLive);
        Assert.True(sessions.SlidingExpiration);
        Assert.Equal(100, sessions.HotCache.MaxCount);
        Assert.Equal(1L << 20, sessions.HotCache.MaxBytes);
        Assert.Equal(TimeSpan.FromMinutes(1), sessions.HotCache.TimeToLive);
        Assert.Equal(8L << 20, options.HealthCheck.MaxWalBytesSinceCheckpoint);
        Assert.Equal(TimeSpan.FromMinutes(2), options.HealthCheck.MaxOldestSnapshotAge);
        Assert.Equal(4096, options.HealthCheck.MaxPinnedBytes);
        Assert.True(new PersistenceOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
    }
}
