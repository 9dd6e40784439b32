namespace Persistence.DependencyInjection;

/// <summary>
/// The hot cache of one collection: recently read documents kept decoded in memory (section
/// <c>Persistence:Collections:{name}:HotCache</c>). The cache is on when <see cref="MaxCount"/> or
/// <see cref="MaxBytes"/> is above zero, and past either limit evicts documents not read lately (CLOCK, an approximation of least recently used whose hits
/// take no lock). Validated at start-up; the database builds the cache when a collection of that name is created.
/// </summary>
/// <remarks>
/// The engine's <see cref="CollectionOptions"/> holds the same settings flat: <see cref="MaxCount"/>,
/// <see cref="MaxBytes"/> and <see cref="TimeToLive"/> become <see cref="CollectionOptions.HotCacheMaxCount"/>,
/// <see cref="CollectionOptions.HotCacheMaxBytes"/> and <see cref="CollectionOptions.HotCacheTimeToLive"/>.
/// </remarks>
public sealed class HotCacheOptions
{
    /// <summary>The most documents kept. Default 0: no count limit (and, with <see cref="MaxBytes"/> 0, no cache).</summary>
    public int MaxCount { get; set; }

    /// <summary>The most bytes of encoded documents kept. Default 0: no byte limit (and, with <see cref="MaxCount"/> 0, no cache).</summary>
    public long MaxBytes { get; set; }

    /// <summary>How long a cached document is kept after it was loaded. Default null: until evicted.</summary>
    public TimeSpan? TimeToLive { get; set; }
}
