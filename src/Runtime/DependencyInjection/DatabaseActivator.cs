using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Persistence.Storage;

namespace Persistence.DependencyInjection;

/// <summary>
/// Opens a <see cref="Database"/> of the container: its validated <see cref="PersistenceOptions"/> (unnamed for the
/// default database, named by the key for a keyed one), the container's logger factory (category
/// <see cref="LoggerCategory"/>), meter factory and time provider.
/// </summary>
internal static class DatabaseActivator
{
    /// <summary>The logger category of the engine's and this layer's messages.</summary>
    public const string LoggerCategory = "Persistence";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Database, PersistenceHealthCheckOptions> OpenedThresholds = [];

    public static Database Open(IServiceProvider services, DatabaseRegistration database)
    {
        // Options runs the validator: without a host (no ValidateOnStart), a bad setting fails here, on first resolve.
        var options = database.GetOptions(services);
        var logger = Logger(services);
        var path = ResolvePath(options.Path, services.GetService<IHostEnvironment>());
        // Tests substitute a simulated file system; applications always get the operating system's.
        var fileSystem = services.GetService<IFileSystem>() ?? OsFileSystem.Instance;
        if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } directory)
        {
            fileSystem.CreateDirectory(directory);
        }

        HostingLog.Opening(logger, database.DisplayName, path, options.DefaultDurability, options.CheckpointWalBytes, options.CheckpointInterval);
        var engine = options.ToDatabaseOptions(
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            database.IsDefault ? logger : new DatabaseScopeLogger(logger, database.Name),
            services.GetService<IMeterFactory>());
        var opened = Database.Open(path, engine, fileSystem);
        OpenedThresholds.AddOrUpdate(opened, options.HealthCheck);
        return opened;
    }

    /// <summary>
    /// The health-check thresholds <paramref name="database"/> was opened with, or null for a database this class did
    /// not open. Like every other setting they are read once, at the open: a configuration reload applies at the next
    /// start (the options monitor of a database bound from a section gives the reloaded values, and fails on an invalid
    /// reload, which must not turn the check of a database running on its old settings unhealthy).
    /// </summary>
    public static PersistenceHealthCheckOptions? HealthCheckOptionsOf(Database database) =>
        OpenedThresholds.TryGetValue(database, out var thresholds) ? thresholds : null;

    public static ILogger Logger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;

    /// <summary>An absolute path as is; a relative one against the host's content root, or the current directory without a host.</summary>
    internal static string ResolvePath(string path, IHostEnvironment? environment) =>
        System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(path) || environment is null
            ? path
            : System.IO.Path.Combine(environment.ContentRootPath, path));
}
