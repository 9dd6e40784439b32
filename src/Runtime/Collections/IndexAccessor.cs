using System.ComponentModel;
using System.Runtime.CompilerServices;
using Persistence.Serialization;

namespace Persistence.Collections;

/// <summary>
/// The base of the generated typed index accessors (<c>users.ByEmail</c>, <c>users.ByAge</c>): lookups by unique value,
/// and ordered scans of a value, a value prefix (composite indexes) or a range. Results stream in index order
/// (value, then primary key).
/// </summary>
public abstract class IndexAccessor<T, TKey>
    where T : class
{
    private readonly Collection<T, TKey> _collection;
    private readonly int _index;

    /// <summary>Binds the accessor to index number <paramref name="index"/> of the collection's schema.</summary>
    protected IndexAccessor(Collection<T, TKey> collection, int index)
    {
        ArgumentNullException.ThrowIfNull(collection);
        _collection = collection;
        _index = index;
    }

    /// <summary>The index name.</summary>
    public string Name => _collection.Schema.Indexes[_index].Name;

    /// <summary>True for a unique index.</summary>
    public bool IsUnique => _collection.Schema.Indexes[_index].Unique;

    /// <summary>Encodes one key part with the given writer (helper for generated accessors).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] // for generated accessors
    [SkipLocalsInit] // the key buffer is written before it is read
    protected static byte[] Encode<TValue>(TValue value, KeyPartWriter<TValue> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var writer = new KeyWriter(stackalloc byte[128]);
        try
        {
            write(ref writer, value);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>
    /// The document whose unique-index value is <paramref name="value"/>, written by <paramref name="write"/>, or null.
    /// The value is encoded on the stack: a lookup allocates only the document it returns. The document found is checked
    /// against the entry that named it (its own value encoded on the stack too, and compared with the one looked up),
    /// so an entry the document does not produce is reported, never returned.
    /// </summary>
    /// <exception cref="CorruptionException">The entry found refers to a document that does not exist, or whose value is
    /// not <paramref name="value"/> (a stale entry): the index is corrupt. The collection's
    /// <see cref="Collection{T, TKey}.CheckConsistency"/> lists such entries and its
    /// <see cref="Collection{T, TKey}.RepairIndexes"/> rebuilds them from the documents.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)] // for generated accessors
    [SkipLocalsInit] // the key buffer is written before it is read
    protected T? GetUnique<TValue>(TValue value, KeyPartWriter<TValue> write, Transaction? transaction)
    {
        ArgumentNullException.ThrowIfNull(write);
        var writer = new KeyWriter(stackalloc byte[128]);
        try
        {
            write(ref writer, value);
            return _collection.Read(transaction, new UniqueLookup(this, writer.WrittenSpan), static (tx, lookup) => lookup.Accessor.FindUnique(tx, lookup.Value));
        }
        finally
        {
            writer.Dispose();
        }
    }

    private T? FindUnique(Transaction transaction, ReadOnlySpan<byte> value) =>
        transaction.TryGet(_collection.IndexKeyspace(_index), value, out var key) ? _collection.LoadReferenced(transaction, key, _index, value) : null;

    /// <summary>
    /// Streams the documents whose entries lie in <paramref name="range"/> of the index keyspace; in a write
    /// transaction, those the range held when the enumeration started, each read as the transaction holds it when handed out (see <see cref="Collection{T, TKey}.All"/>).
    /// Each document is checked against the entry that named it.
    /// </summary>
    /// <exception cref="CorruptionException">An entry refers to a document that does not exist, or that does not produce
    /// it (its indexed value is another, or it has none: a stale entry). In a write transaction a document the loop
    /// changed is handed out as it is now, unless the index still holds the entry it no longer produces.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)] // for generated accessors
    protected IEnumerable<T> Scan(KeyRange range, bool descending, Transaction? transaction) =>
        _collection.Stable(_index, range, descending, transaction);

    /// <summary>
    /// Counts the live documents whose entries lie in <paramref name="range"/> without decoding them: with expiry, the
    /// range's keys less the expired ones the expiry index names (decoding each only when expired documents pile up).
    /// With expiry, an entry whose document is missing is reported as corruption. No entry is checked against its
    /// document's indexed value: a stale entry counts (<see cref="Collection{T, TKey}.CheckConsistency"/> finds it).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)] // for generated accessors
    protected long CountRange(KeyRange range, Transaction? transaction) =>
        _collection.Read(transaction, tx =>
        {
            if (_collection.HasExpiry)
            {
                return (long)_collection.IndexKeyset(tx, _index, range, descending: false).Count;
            }

            long count = 0;
            using var cursor = tx.OpenCursor(_collection.IndexKeyspace(_index), range);
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                count++;
            }

            return count;
        });

    /// <summary>What a unique lookup passes to the read: the accessor and the encoded value.</summary>
    private readonly ref struct UniqueLookup(IndexAccessor<T, TKey> accessor, ReadOnlySpan<byte> value)
    {
        public IndexAccessor<T, TKey> Accessor { get; } = accessor;

        public ReadOnlySpan<byte> Value { get; } = value;
    }
}
