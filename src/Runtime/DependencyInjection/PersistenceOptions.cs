namespace Persistence.DependencyInjection;

/// <summary>
/// The settings of the application's <see cref="Database"/>, bound from the <c>Persistence</c> section of the
/// configuration (appsettings.json, environment variables <c>Persistence__Path</c>, ...) by
/// <c>services.AddPersistence()</c> and validated when the host starts; those of a keyed database are the options
/// named by its key, bound from <c>Persistence:Databases:{key}</c> by <c>services.AddKeyedPersistence(key)</c>. Every engine setting maps one to one onto a
/// <see cref="DatabaseOptions"/> property and has the same default; the time provider, logger and meter factory come
/// from the container instead.
/// </summary>
/// <remarks>
/// The <see cref="Ttl"/> and <see cref="Collections"/> sections configure the expired-document collector and each
/// collection's lifetime, sliding expiration and hot cache; they are validated at start-up with the rest and copied
/// into the database's <see cref="DatabaseOptions.Ttl"/> and <see cref="DatabaseOptions.Collections"/> when it opens.
/// </remarks>
public sealed class PersistenceOptions
{
    /// <summary>The configuration section the options are bound from: <c>Persistence</c>.</summary>
    public const string SectionName = "Persistence";

    private static readonly DatabaseOptions Defaults = new();

    /// <summary>
    /// The database file. Required. A relative path is resolved against the host's content root (the current
    /// directory without a host); the folder is created when it does not exist.
    /// </summary>
    public string Path { get; set; } = "";

    /// <inheritdoc cref="DatabaseOptions.PageSize"/>
    public int PageSize { get; set; } = Defaults.PageSize;

    /// <inheritdoc cref="DatabaseOptions.PageCacheBytes"/>
    public long PageCacheBytes { get; set; } = Defaults.PageCacheBytes;

    /// <inheritdoc cref="DatabaseOptions.DefaultDurability"/>
    /// <remarks><see cref="Durability.None"/> is for in-memory databases and is rejected here.</remarks>
    public Durability DefaultDurability { get; set; } = Defaults.DefaultDurability;

    /// <inheritdoc cref="DatabaseOptions.CheckpointWalBytes"/>
    public long CheckpointWalBytes { get; set; } = Defaults.CheckpointWalBytes;

    /// <inheritdoc cref="DatabaseOptions.CheckpointInterval"/>
    public TimeSpan CheckpointInterval { get; set; } = Defaults.CheckpointInterval;

    /// <inheritdoc cref="DatabaseOptions.WalSegmentBytes"/>
    public int WalSegmentBytes { get; set; } = Defaults.WalSegmentBytes;

    /// <inheritdoc cref="DatabaseOptions.BufferedFlushDelay"/>
    public TimeSpan BufferedFlushDelay { get; set; } = Defaults.BufferedFlushDelay;

    /// <summary>The expired-document collector (section <c>Persistence:Ttl</c>).</summary>
    public PersistenceTtlOptions Ttl { get; set; } = new();

    /// <summary>
    /// Per-collection settings keyed by collection name (section <c>Persistence:Collections:{name}</c>): default
    /// time-to-live, sliding expiration and the hot cache.
    /// </summary>
    public Dictionary<string, PersistenceCollectionOptions> Collections { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The thresholds past which the health check reports Degraded (section <c>Persistence:HealthCheck</c>).</summary>
    public PersistenceHealthCheckOptions HealthCheck { get; set; } = new();

    /// <summary>The engine options these settings describe, with what the container supplies.</summary>
    /// <remarks>
    /// The expired-document collector stays on the database's own loop (<see cref="TtlOptions.RunCollectorInBackground"/>),
    /// which a host's collector service takes over when the host starts: a host built and never run still collects.
    /// </remarks>
    internal DatabaseOptions ToDatabaseOptions(TimeProvider timeProvider, Microsoft.Extensions.Logging.ILogger? logger, System.Diagnostics.Metrics.IMeterFactory? meterFactory)
    {
        var options = new DatabaseOptions
        {
            PageSize = PageSize,
            PageCacheBytes = PageCacheBytes,
            DefaultDurability = DefaultDurability,
            CheckpointWalBytes = CheckpointWalBytes,
            CheckpointInterval = CheckpointInterval,
            WalSegmentBytes = WalSegmentBytes,
            BufferedFlushDelay = BufferedFlushDelay,
            TimeProvider = timeProvider,
            Logger = logger,
            MeterFactory = meterFactory,
        };
        if (Ttl is { } ttl)
        {
            options.Ttl = new TtlOptions
            {
                CollectorInterval = ttl.CollectorInterval,
                BatchSize = ttl.BatchSize,
                MaxCollectorShare = ttl.MaxCollectorShare,
                SlidingFlushInterval = ttl.SlidingFlushInterval,
            };
        }

        foreach (var (name, collection) in Collections ?? [])
        {
            options.Collections[name] = collection.ToCollectionOptions();
        }

        return options;
    }
}
