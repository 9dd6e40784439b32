namespace Persistence.Collections;

public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// Streams the documents an index range refers to, in index order. Without a transaction, the enumeration opens a
    /// snapshot when it starts and closes it when it ends.
    /// </summary>
    internal IEnumerable<T> ScanIndex(int index, KeyRange range, bool descending, Transaction? transaction, bool isRead = true)
    {
        var owned = transaction is null ? Database.BeginRead() : null;
        try
        {
            var tx = transaction ?? owned!;
            var unique = Schema.Indexes[index].Unique;
            using var cursor = tx.OpenCursor(IndexKeyspace(index), range);
            for (var ok = descending ? cursor.Last() : cursor.First(); ok; ok = descending ? cursor.Previous() : cursor.Next())
            {
                // The primary key is read in place, not copied: the load only reads, so the entry cannot move under it.
                if (LoadReferenced(tx, unique ? cursor.Value : PrimaryKeyOfEntry(index, cursor.Key), index, isRead) is { } document)
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

    /// <summary>Streams the primary keys an index range refers to, in index order.</summary>
    internal IEnumerable<byte[]> IndexKeys(Transaction transaction, int index, KeyRange range, bool descending)
    {
        var unique = Schema.Indexes[index].Unique;
        using var cursor = transaction.OpenCursor(IndexKeyspace(index), range);
        for (var ok = descending ? cursor.Last() : cursor.First(); ok; ok = descending ? cursor.Previous() : cursor.Next())
        {
            yield return unique ? cursor.Value.ToArray() : PrimaryKeyOfEntry(index, cursor.Key).ToArray();
        }
    }

    /// <summary>Streams primary keys of documents in a primary-key range, in key order.</summary>
    internal IEnumerable<byte[]> DocumentKeys(Transaction transaction, KeyRange range, bool descending)
    {
        using var cursor = transaction.OpenCursor(Documents, range);
        for (var ok = descending ? cursor.Last() : cursor.First(); ok; ok = descending ? cursor.Previous() : cursor.Next())
        {
            yield return cursor.Key.ToArray();
        }
    }

    /// <summary>
    /// The live document an index entry refers to; null when it has expired. An entry that refers to no document at
    /// all means the index is corrupt.
    /// </summary>
    internal T? LoadReferenced(Transaction transaction, ReadOnlySpan<byte> key, int index, bool isRead = true) =>
        Load(transaction, key, isRead) ?? (transaction.ContainsKey(Documents, key) ? null : throw DanglingEntry(index));

    internal CorruptionException DanglingEntry(int index) =>
        new(ErrorCode.Corruption, $"The index '{Schema.Indexes[index].Name}' of '{Name}' refers to a document that does not exist.");
}
