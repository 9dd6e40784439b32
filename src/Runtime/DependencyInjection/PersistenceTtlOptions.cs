namespace Persistence.DependencyInjection;

/// <summary>
/// How the background collector removes expired documents (section <c>Persistence:Ttl</c>). Expired documents are
/// invisible to reads from their expiry on whatever these say; the collector only reclaims their space. Validated
/// at start-up; takes effect with the time-to-live feature's collector.
/// </summary>
public sealed class PersistenceTtlOptions
{
    /// <summary>How often the collector looks for expired documents. Default one minute; at least one second.</summary>
    public TimeSpan CollectorInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most documents the collector deletes in one transaction. Default 1000; from 1 to 100,000.</summary>
    public int BatchSize { get; set; } = 1000;
}
