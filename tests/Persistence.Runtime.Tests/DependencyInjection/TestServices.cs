using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persistence.DependencyInjection;
using Persistence.Storage;
using Persistence.Testing;

namespace Persistence.Tests.DependencyInjection;

/// <summary>Containers for the dependency-injection tests: a simulated file system, a capturing logger and small engine settings.</summary>
internal static class TestServices
{
    public const string Path = "/sim/app.db";

    /// <summary>Small pages, segments and thresholds (as <see cref="TestDatabases.Small"/>).</summary>
    public static void Small(PersistenceOptions options)
    {
        options.Path = Path;
        options.PageSize = 4096;
        options.PageCacheBytes = 64 * 4096;
        options.WalSegmentBytes = 64 << 10;
        options.CheckpointWalBytes = 1 << 20;
    }

    /// <summary>The settings of <see cref="Small(PersistenceOptions)"/> with another file, for a second or third database.</summary>
    public static Action<PersistenceOptions> Small(string path) => options =>
    {
        Small(options);
        options.Path = path;
    };

    /// <summary>Registers the simulated file system (the internal hook the database is opened through) and the logger.</summary>
    public static IServiceCollection AddTestInfrastructure(this IServiceCollection services, SimulatedFileSystem fs, CapturingLogger? logger = null)
    {
        services.AddSingleton<IFileSystem>(fs);
        services.AddLogging(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Debug);
            if (logger is not null)
            {
                builder.AddProvider(new CapturingLoggerProvider(logger));
            }
        });
        return services;
    }

    public static ServiceProvider Build(SimulatedFileSystem fs, CapturingLogger? logger = null, Action<PersistenceOptions>? configure = null) =>
        new ServiceCollection()
            .AddTestInfrastructure(fs, logger)
            .AddPersistence(options =>
            {
                Small(options);
                configure?.Invoke(options);
            })
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    /// <summary>Reopens the database file directly, as the next run of the application would.</summary>
    public static Database Reopen(SimulatedFileSystem fs, string path = Path) => TestDatabases.Open(fs, path: path);

    /// <summary>Hands the Persistence category the capturing logger, and every other category a null logger.</summary>
    private sealed class CapturingLoggerProvider(CapturingLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => categoryName == "Persistence" ? logger : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }
    }
}
