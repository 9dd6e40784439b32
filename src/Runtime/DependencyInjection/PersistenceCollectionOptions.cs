namespace Persistence.DependencyInjection;

/// <summary>
/// Settings of one collection (section <c>Persistence:Collections:{name}</c>, keyed by the name given in
/// <see cref="CollectionAttribute"/>). Validated at start-up; take effect with the time-to-live feature.
/// </summary>
public sealed class PersistenceCollectionOptions
{
    /// <summary>
    /// How long a document lives when it is written without an expiry of its own. Default null: documents do not
    /// expire unless their <see cref="ExpiresAtAttribute"/> member says so.
    /// </summary>
    public TimeSpan? DefaultTimeToLive { get; set; }

    /// <summary>
    /// True to restart a document's <see cref="DefaultTimeToLive"/> whenever it is read, so that only documents left
    /// unread that long expire. Default false. Requires <see cref="DefaultTimeToLive"/>.
    /// </summary>
    public bool SlidingExpiration { get; set; }

    /// <summary>The in-process cache of recently read documents. Default: off.</summary>
    public HotCacheOptions HotCache { get; set; } = new();
}
