namespace Persistence;

/// <summary>Settings of one collection, by name in <see cref="DatabaseOptions.Collections"/>.</summary>
/// <remarks>
/// Under dependency injection these come from <see cref="DependencyInjection.PersistenceCollectionOptions"/> (section
/// <c>Persistence:Collections:{name}</c>), where the hot-cache settings are nested: <c>HotCache:MaxCount</c>,
/// <c>HotCache:MaxBytes</c> and <c>HotCache:TimeToLive</c> are <see cref="HotCacheMaxCount"/>,
/// <see cref="HotCacheMaxBytes"/> and <see cref="HotCacheTimeToLive"/>. Configuration accepts these flat names as well.
/// </remarks>
public sealed class CollectionOptions
{
    /// <summary>
    /// Documents expire this long after they were written, unless their <see cref="ExpiresAtAttribute"/> member says
    /// otherwise. Null (default): no default lifetime. Positive, and at most <see cref="LongestTimeToLive"/> (36500 days).
    /// </summary>
    public TimeSpan? DefaultTimeToLive { get; set; }

    /// <summary>Reading a document extends its life to <see cref="DefaultTimeToLive"/> from the read (requires a default lifetime).</summary>
    public bool SlidingExpiration { get; set; }

    /// <summary>
    /// The most documents kept materialized in memory in front of the engine. 0 (default): no count limit. The
    /// collection has a hot cache when this or <see cref="HotCacheMaxBytes"/> is above zero; with both 0, none.
    /// </summary>
    public int HotCacheMaxCount { get; set; }

    /// <summary>The hot cache's budget in bytes of serialized documents. 0 (default): no byte limit (bounded by <see cref="HotCacheMaxCount"/> alone).</summary>
    public long HotCacheMaxBytes { get; set; }

    /// <summary>How long a cached document may be served before it is read again: positive. Null (default): until evicted or written.</summary>
    public TimeSpan? HotCacheTimeToLive { get; set; }

    /// <summary>
    /// The longest <see cref="DefaultTimeToLive"/>: 36,500 days (about a century). A document's expiry is the time it
    /// is written plus the lifetime, which past this could pass the last date <see cref="DateTimeOffset"/> holds and
    /// fail every write; a document that should never expire has no lifetime at all.
    /// </summary>
    internal static readonly TimeSpan LongestTimeToLive = TimeSpan.FromDays(36_500);

    internal void Validate(string name)
    {
        if (DefaultTimeToLive is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new InvalidOptionsException($"Collections[{name}].DefaultTimeToLive", $"The default time-to-live of '{name}' must be positive; it is {ttl}.");
        }

        if (DefaultTimeToLive > LongestTimeToLive)
        {
            throw new InvalidOptionsException($"Collections[{name}].DefaultTimeToLive", $"The default time-to-live of '{name}' must be at most 36500 days; it is {DefaultTimeToLive}. Leave it null for documents that do not expire.");
        }

        if (SlidingExpiration && DefaultTimeToLive is null)
        {
            throw new InvalidOptionsException($"Collections[{name}].SlidingExpiration", $"Sliding expiration of '{name}' needs a DefaultTimeToLive: reads extend a document's life by that much.");
        }

        if (HotCacheMaxCount < 0 || HotCacheMaxBytes < 0 || HotCacheTimeToLive is { } t && t <= TimeSpan.Zero)
        {
            throw new InvalidOptionsException($"Collections[{name}].HotCache", $"The hot-cache limits of '{name}' must be positive (or 0 to disable).");
        }
    }

    internal CollectionOptions Clone() => (CollectionOptions)MemberwiseClone();
}
