using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Persistence.Serialization;

namespace Persistence.Collections;

public abstract partial class Collection<T, TKey>
{
    /// <summary>The document with primary key <paramref name="key"/>, or null.</summary>
    /// <remarks>
    /// In a collection with a hot cache (<see cref="CollectionOptions.HotCacheMaxCount"/>), a read outside a write
    /// transaction may return the cached instance, shared by every reader the cache serves it to, the reader whose read
    /// put it there included: treat it as read-only. To change a document, read it in the write transaction, which never
    /// uses the cache. A cached instance changed anyway and written back under its key is dropped from the cache when the
    /// write starts; one given another key is not, and readers of its old key would get it.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null (as for every lookup and delete by key).</exception>
    [SkipLocalsInit] // the key buffer is written before it is read
    public T? Get(TKey key, Transaction? transaction = null)
    {
        ThrowIfNull(key);
        var writer = new KeyWriter(stackalloc byte[KeyBufferSize]);
        try
        {
            Schema.WriteKey(ref writer, key);
            if (transaction is WriteTransaction write)
            {
                return LoadForUpdate(write, writer.WrittenSpan);
            }

            if (transaction is not null)
            {
                return Load(transaction, writer.WrittenSpan);
            }

            var read = Database.BeginUntimedRead();
            try
            {
                return Load(read, writer.WrittenSpan);
            }
            finally
            {
                Database.EndUntimedRead(read);
            }
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Looks up the document with primary key <paramref name="key"/>.</summary>
    public bool TryGet(TKey key, [NotNullWhen(true)] out T? document, Transaction? transaction = null)
    {
        document = Get(key, transaction);
        return document is not null;
    }

    /// <summary>True when a document has primary key <paramref name="key"/>.</summary>
    public bool Contains(TKey key, Transaction? transaction = null)
    {
        var encoded = EncodeKey(ThrowIfNull(key));
        return Read(transaction, tx => HasExpiry ? Load(tx, encoded, isRead: false) is not null : tx.ContainsKey(Documents, encoded));
    }

    /// <summary>
    /// The number of live documents: read in constant time from the documents keyspace, less the expired documents the
    /// collector has not removed yet, which are walked (so with expiring documents, the time grows with that backlog).
    /// </summary>
    public long Count(Transaction? transaction = null) =>
        Read(transaction, tx => tx.Count(Documents) - ExpiredNotCollected(tx));

    /// <summary>
    /// Streams every document in primary-key order. Without a transaction, the enumeration reads one snapshot, held
    /// until the enumerator is disposed. In a write transaction, which documents are visited, and in which order, is
    /// fixed when the enumeration starts, so that the loop may change them; each is read as the transaction holds it
    /// when it is handed out (with the loop's own earlier changes), and one the loop deleted meanwhile is skipped.
    /// </summary>
    public IEnumerable<T> All(Transaction? transaction = null) => Stable(KeyRange.All, descending: false, transaction);

    /// <summary>Streams the documents whose primary key lies in [<paramref name="from"/>, <paramref name="to"/>) in key order (see <see cref="All"/>).</summary>
    public IEnumerable<T> Range(TKey from, TKey to, Transaction? transaction = null) =>
        Stable(KeyRange.Between(EncodeKey(ThrowIfNull(from)), EncodeKey(ThrowIfNull(to))), descending: false, transaction);

    /// <summary>
    /// A key the caller passed, refused when null as .NET refuses a null key (no document can have one): its encoding
    /// would report a document member that cannot be stored, which is wrong for a lookup.
    /// </summary>
    private static TKey ThrowIfNull(TKey key, [CallerArgumentExpression(nameof(key))] string? name = null) =>
        key is null ? throw new ArgumentNullException(name, "A primary key is never null.") : key;

    /// <remarks>Without <paramref name="isRead"/> (a count), the documents visited do not slide (sliding expiration).</remarks>
    internal IEnumerable<T> ScanDocuments(KeyRange range, bool descending, Transaction? transaction, bool isRead = true)
    {
        var owned = transaction is null ? Database.BeginRead() : null;
        try
        {
            var tx = transaction ?? owned!;
            using var cursor = tx.OpenCursor(Documents, range);
            for (var ok = descending ? cursor.Last() : cursor.First(); ok; ok = descending ? cursor.Previous() : cursor.Next())
            {
                var document = Decode(cursor.Key, cursor.Value);
                if (!HasExpiry || IsLive(tx, cursor.Key, document, isRead))
                {
                    yield return document;
                }
            }
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>Runs a read in the given transaction or in a fresh snapshot.</summary>
    internal TResult Read<TResult>(Transaction? transaction, Func<Transaction, TResult> read) =>
        Read(transaction, read, static (tx, read) => read(tx));

    /// <summary>
    /// As <see cref="Read{TResult}(Transaction?, Func{Transaction, TResult})"/>, with the read's state passed in, so that
    /// hot reads can pass a static lambda and allocate no closure.
    /// </summary>
    /// <remarks>
    /// Without <paramref name="transaction"/>, <paramref name="read"/> runs in this thread's reused transaction
    /// (<see cref="Database.BeginUntimedRead"/>): it must return a finished value, nothing that still uses the
    /// transaction (a lazy enumeration, say). Such a result would not fail once the call returned, but read whatever
    /// snapshot the thread's next read holds.
    /// </remarks>
    internal TResult Read<TState, TResult>(Transaction? transaction, TState state, Func<Transaction, TState, TResult> read)
        where TState : allows ref struct
    {
        if (transaction is not null)
        {
            using var use = transaction.Use(); // one use: what it reads is decoded before another thread could write
            return read(transaction, state);
        }

        var owned = Database.BeginUntimedRead(); // read runs to completion here: nobody else sees the transaction
        try
        {
            return read(owned, state);
        }
        finally
        {
            Database.EndUntimedRead(owned);
        }
    }
}
