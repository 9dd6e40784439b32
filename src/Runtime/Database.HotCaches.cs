using Persistence.Collections;

namespace Persistence;

public sealed partial class Database
{
    private readonly Dictionary<(int Keyspace, Type Document), object> _documentCaches = [];

    /// <summary>
    /// The hot cache of the documents of type <typeparamref name="T"/> stored in <paramref name="documents"/>, created on
    /// first use with <paramref name="options"/> and then shared by every instance of the collection for the database's
    /// lifetime.
    /// </summary>
    /// <remarks>
    /// A cache per instance cost every commit one more write observer and kept the instance's cache alive with the
    /// database, so an application that constructed its collection per request (per dependency-injection scope, say)
    /// grew without bound; instances shared nothing either, so each warmed its own. Keyed by keyspace id, which a dropped
    /// and recreated keyspace does not reuse, and by document type: two classes stored under one collection name
    /// materialize different objects.
    /// </remarks>
    internal DocumentCache<T> HotCache<T>(Keyspace documents, CollectionOptions options)
        where T : class
    {
        lock (_documentCaches)
        {
            if (_documentCaches.TryGetValue((documents.Id, typeof(T)), out var shared))
            {
                return (DocumentCache<T>)shared;
            }

            // Observed before the baseline is read: every write sequenced after it is reported to the cache.
            var cache = new DocumentCache<T>(options.HotCacheMaxCount, options.HotCacheMaxBytes, options.HotCacheTimeToLive, TimeProvider, long.MaxValue);
            ObserveWrites(documents, cache.Written);
            cache.WithBaseline(Versions.Latest.Number);
            RegisterHotCache(() => (cache.Hits, cache.Misses));
            _documentCaches[(documents.Id, typeof(T))] = cache;
            return cache;
        }
    }
}
