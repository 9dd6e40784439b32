namespace Persistence.DependencyInjection;

/// <summary>
/// How the background collector removes expired documents (section <c>Persistence:Ttl</c>). Expired documents are
/// invisible to reads from their expiry on whatever these say; the collector only reclaims their space. Validated
/// at start-up. Under a host the collector runs as a hosted service; otherwise on the database's own background loop.
/// </summary>
public sealed class PersistenceTtlOptions
{
    private static readonly TtlOptions Defaults = new();

    /// <inheritdoc cref="TtlOptions.CollectorInterval"/>
    public TimeSpan CollectorInterval { get; set; } = Defaults.CollectorInterval;

    /// <inheritdoc cref="TtlOptions.BatchSize"/>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <inheritdoc cref="TtlOptions.MaxCollectorShare"/>
    public double MaxCollectorShare { get; set; } = Defaults.MaxCollectorShare;

    /// <inheritdoc cref="TtlOptions.SlidingFlushInterval"/>
    public TimeSpan SlidingFlushInterval { get; set; } = Defaults.SlidingFlushInterval;
}
