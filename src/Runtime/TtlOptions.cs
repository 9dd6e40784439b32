namespace Persistence;

/// <summary>How expired documents are removed. Expired documents are invisible at once, whatever these settings say.</summary>
/// <remarks>
/// Under dependency injection these come from <see cref="DependencyInjection.PersistenceOptions.Ttl"/>, a
/// <see cref="DependencyInjection.PersistenceTtlOptions"/> bound from the section <c>Persistence:Ttl</c>, whose settings
/// have the same names and defaults and are copied one to one, except <see cref="RunCollectorInBackground"/>: the
/// container leaves it on, and under a running host its hosted service takes the collector's loop over.
/// </remarks>
public sealed class TtlOptions
{
    /// <summary>How often the collector looks for expired documents: positive. Default 10 seconds.</summary>
    public TimeSpan CollectorInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Expired documents removed per transaction: from 1 to 1,000,000. Default 1000.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>
    /// The collector's share of one thread while it works: after each batch it pauses for the time the batch took,
    /// scaled so that it is busy at most this fraction of the time. From 0.01 to 1; default 0.5.
    /// </summary>
    /// <remarks>
    /// The lower bound keeps the pause at most 99 times the batch's time: a share near zero asks for a pause no
    /// <see cref="TimeSpan"/> can hold (and a collector that never runs); to collect less often, raise
    /// <see cref="CollectorInterval"/> instead.
    /// </remarks>
    public double MaxCollectorShare { get; set; } = 0.5;

    /// <summary>Run the collector on the database's own background loop (true), or leave it to a host (false; see CollectExpiredAsync).</summary>
    public bool RunCollectorInBackground { get; set; } = true;

    /// <summary>
    /// How often access times of sliding-expiration collections are written. After a crash a document may expire at
    /// most this much (plus the buffered flush delay) earlier than its last read implied. Positive; default 1 second.
    /// </summary>
    public TimeSpan SlidingFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The smallest <see cref="MaxCollectorShare"/> accepted: the collector pauses at most 99 times a batch's time.</summary>
    internal const double MinCollectorShare = 0.01;

    internal void Validate()
    {
        if (CollectorInterval <= TimeSpan.Zero)
        {
            throw new InvalidOptionsException("Ttl.CollectorInterval", $"Ttl.CollectorInterval must be positive; it is {CollectorInterval}.");
        }

        if (BatchSize is < 1 or > 1_000_000)
        {
            throw new InvalidOptionsException("Ttl.BatchSize", $"Ttl.BatchSize must be from 1 to 1,000,000; it is {BatchSize}.");
        }

        if (MaxCollectorShare is not (>= MinCollectorShare and <= 1)) // NaN fails both
        {
            throw new InvalidOptionsException("Ttl.MaxCollectorShare", $"Ttl.MaxCollectorShare must be from 0.01 to 1; it is {MaxCollectorShare.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }

        if (SlidingFlushInterval <= TimeSpan.Zero)
        {
            throw new InvalidOptionsException("Ttl.SlidingFlushInterval", $"Ttl.SlidingFlushInterval must be positive; it is {SlidingFlushInterval}.");
        }
    }

    internal TtlOptions Clone() => (TtlOptions)MemberwiseClone();
}
