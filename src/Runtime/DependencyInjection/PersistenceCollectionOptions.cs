using System.ComponentModel;

namespace Persistence.DependencyInjection;

/// <summary>
/// Settings of one collection (section <c>Persistence:Collections:{name}</c>, keyed by the name given in
/// <see cref="CollectionAttribute"/>). Validated at start-up, and copied into the database's options when it opens.
/// </summary>
/// <remarks>
/// These become the engine's <see cref="CollectionOptions"/> (<see cref="DatabaseOptions.Collections"/>), one to one,
/// except that the engine's flat hot-cache settings are nested here: <see cref="HotCache"/>'s
/// <see cref="HotCacheOptions.MaxCount"/>, <see cref="HotCacheOptions.MaxBytes"/> and
/// <see cref="HotCacheOptions.TimeToLive"/> (keys <c>HotCache:MaxCount</c>, ...) are
/// <see cref="CollectionOptions.HotCacheMaxCount"/>, <see cref="CollectionOptions.HotCacheMaxBytes"/> and
/// <see cref="CollectionOptions.HotCacheTimeToLive"/>. The flat names work in configuration too
/// (<see cref="HotCacheMaxCount"/>, ...), so a setting written in either shape takes effect.
/// </remarks>
public sealed class PersistenceCollectionOptions
{
    /// <summary>
    /// How long a document lives when it is written without an expiry of its own, at most 36500 days. Default null:
    /// documents do not expire unless their <see cref="ExpiresAtAttribute"/> member says so.
    /// </summary>
    public TimeSpan? DefaultTimeToLive { get; set; }

    /// <summary>
    /// True to restart a document's <see cref="DefaultTimeToLive"/> whenever it is read, so that only documents left
    /// unread that long expire. Default false. Requires <see cref="DefaultTimeToLive"/>.
    /// </summary>
    public bool SlidingExpiration { get; set; }

    /// <summary>The in-process cache of recently read documents. Default: off.</summary>
    public HotCacheOptions HotCache { get; set; } = new();

    /// <summary>
    /// <c>HotCache:MaxCount</c> under the engine's flat name (<see cref="CollectionOptions.HotCacheMaxCount"/>), for
    /// configuration written in that shape. Null (default): not given; then <see cref="HotCache"/> decides. Given with
    /// another non-zero <c>HotCache:MaxCount</c>, the options fail validation at start-up.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int? HotCacheMaxCount { get; set; }

    /// <summary>
    /// <c>HotCache:MaxBytes</c> under the engine's flat name (<see cref="CollectionOptions.HotCacheMaxBytes"/>), for
    /// configuration written in that shape. Null (default): not given; then <see cref="HotCache"/> decides. Given with
    /// another non-zero <c>HotCache:MaxBytes</c>, the options fail validation at start-up.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public long? HotCacheMaxBytes { get; set; }

    /// <summary>
    /// <c>HotCache:TimeToLive</c> under the engine's flat name (<see cref="CollectionOptions.HotCacheTimeToLive"/>), for
    /// configuration written in that shape. Null (default): not given; then <see cref="HotCache"/> decides. Given with
    /// another <c>HotCache:TimeToLive</c>, the options fail validation at start-up.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TimeSpan? HotCacheTimeToLive { get; set; }

    /// <summary>The engine's settings of the collection: <see cref="HotCache"/>, each value a flat alias gives taking its place.</summary>
    internal CollectionOptions ToCollectionOptions() => new()
    {
        DefaultTimeToLive = DefaultTimeToLive,
        SlidingExpiration = SlidingExpiration,
        HotCacheMaxCount = HotCacheMaxCount ?? HotCache?.MaxCount ?? 0,
        HotCacheMaxBytes = HotCacheMaxBytes ?? HotCache?.MaxBytes ?? 0,
        HotCacheTimeToLive = HotCacheTimeToLive ?? HotCache?.TimeToLive,
    };
}
