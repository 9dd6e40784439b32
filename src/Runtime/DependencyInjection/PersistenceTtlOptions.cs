namespace Persistence.DependencyInjection;

/// <summary>
/// How the background collector removes expired documents (section <c>Persistence:Ttl</c>). Expired documents are
/// invisible to reads from their expiry on whatever these say; the collector only reclaims their space. Validated
/// at start-up. The collector runs on the database's own background loop, which a hosted service takes over when a
/// host starts, so that it stops with the application.
/// </summary>
/// <remarks>
/// The configuration shape of the engine's <see cref="TtlOptions"/> (<see cref="DatabaseOptions.Ttl"/>): each setting
/// has the same name and default and is copied one to one when the database opens.
/// <see cref="TtlOptions.RunCollectorInBackground"/> has no counterpart here: the container leaves it on, and under a
/// running host its hosted service takes the loop over.
/// </remarks>
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
