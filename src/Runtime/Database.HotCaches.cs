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
    /// materialize different objects. Creating the cache waits for a commit being sequenced to link its version.
    /// </remarks>
    internal DocumentCache<T> HotCache<T>(Keyspace documents, CollectionOptions options)
        where T : class
    {
        DocumentCache<T> cache;
        lock (_documentCaches)
        {
            if (_documentCaches.TryGetValue((documents.Id, typeof(T)), out var shared))
            {
                return (DocumentCache<T>)shared;
            }

            // Observed before the baseline is read: every write sequenced after it is reported to the cache. Until the
            // baseline is set (long.MaxValue) the cache admits no key that no write was reported for, and serves nothing
            // it did not admit, so other instances may use it meanwhile: they miss.
            cache = new DocumentCache<T>(options.HotCacheMaxCount, options.HotCacheMaxBytes, options.HotCacheTimeToLive, TimeProvider, long.MaxValue);
            ObserveWrites(documents, cache.Written);
            RegisterHotCache(() => (cache.Hits, cache.Misses));
            _documentCaches[(documents.Id, typeof(T))] = cache;
        }

        // A commit that read the observers before (and so never reports to this cache) links its version only after its
        // reports, both under the sequencer's lock: the baseline is read under that lock, so that it is never older than
        // such a commit. Read outside _documentCaches: a thread that holds the sequencer's lock may be waiting for it (the
        // application's logger runs under that lock when a commit fails there, and may construct the collection).
        return cache.WithBaseline(Sequencer.LatestSequenced());
    }
}
