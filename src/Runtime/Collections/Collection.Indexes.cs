using System.Runtime.CompilerServices;
using Persistence.Serialization;

namespace Persistence.Collections;

/// <content>
/// Reads that go from index entries to documents. Every document loaded through an entry is checked against it: an
/// entry whose document does not exist (dangling) or does not produce it (stale: the document no longer has the
/// indexed value, or has no entry in the index at all) is reported as corruption, never handed out as data.
/// </content>
public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// Streams the documents an index range refers to, in index order. Without a transaction, the enumeration opens a
    /// snapshot when it starts and closes it when it ends.
    /// </summary>
    /// <exception cref="CorruptionException">An entry of the range refers to a document that does not exist or does not
    /// produce it (<see cref="LoadReferenced"/>).</exception>
    internal IEnumerable<T> ScanIndex(int index, KeyRange range, bool descending, Transaction? transaction, bool isRead = true)
    {
        var owned = transaction is null ? Database.BeginRead() : null;
        try
        {
            var tx = transaction ?? owned!;
            using var cursor = tx.OpenCursor(IndexKeyspace(index), range);
            for (var ok = descending ? cursor.Last() : cursor.First(); ok; ok = descending ? cursor.Previous() : cursor.Next())
            {
                // The entry is read in place, not copied: the load only reads, so the entry cannot move under it.
                var key = PrimaryKeyOfEntry(index, cursor.Key, cursor.Value, out var value);
                if (LoadReferenced(tx, key, index, value, isRead) is { } document)
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

    /// <summary>
    /// Streams the primary keys an index range refers to, in index order, each with the indexed value of its entry,
    /// which the document loaded by the key must produce (<see cref="LoadReferenced"/>).
    /// </summary>
    internal IEnumerable<(byte[] Key, byte[] Value)> IndexKeys(Transaction transaction, int index, KeyRange range, bool descending)
    {
        using var cursor = transaction.OpenCursor(IndexKeyspace(index), range);
        for (var ok = descending ? cursor.Last() : cursor.First(); ok; ok = descending ? cursor.Previous() : cursor.Next())
        {
            var key = PrimaryKeyOfEntry(index, cursor.Key, cursor.Value, out var value);
            yield return (key.ToArray(), value.ToArray());
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
    /// The live document an entry of index <paramref name="index"/> refers to by <paramref name="key"/>, the entry
    /// holding the indexed value <paramref name="value"/>; null when the document has expired (expired documents are
    /// not checked). An entry that refers to no document at all, or to a document that does not produce it, means the
    /// index is corrupt (<see cref="Verified"/>).
    /// </summary>
    /// <exception cref="CorruptionException">The entry is dangling or stale.</exception>
    internal T? LoadReferenced(Transaction transaction, ReadOnlySpan<byte> key, int index, ReadOnlySpan<byte> value, bool isRead = true) =>
        Load(transaction, key, isRead) is { } document
            ? Verified(transaction, key, index, value, document)
            : transaction.ContainsKey(Documents, key) ? null : throw DanglingEntry(index);

    /// <summary>
    /// <paramref name="document"/>, loaded by <paramref name="key"/> through an entry of index <paramref name="index"/>
    /// that holds the indexed value <paramref name="value"/>, once checked to produce that entry: its indexed value is
    /// encoded on the stack, as a write encodes it for the entry, and compared with the entry's. The check allocates
    /// nothing. A document that does not produce the entry (another value, or none) means the entry is stale, the index
    /// corrupt. A hot-cache hit is the instance every reader shares, which the application may have changed (it should
    /// not): on a mismatch, the stored document decides, and is returned in its place when it produces the entry (null
    /// when it has expired).
    /// </summary>
    /// <exception cref="CorruptionException">The document does not produce the entry.</exception>
    internal T? Verified(Transaction transaction, ReadOnlySpan<byte> key, int index, ReadOnlySpan<byte> value, T document)
    {
        if (Produces(index, document, value))
        {
            return document;
        }

        if (_cache is not null && transaction is ReadTransaction && transaction.TryGet(Documents, key, out var stored)
            && Decode(key, stored) is var decoded && Produces(index, decoded, value))
        {
            return IsLive(transaction, key, decoded, isRead: false) ? decoded : null;
        }

        throw StaleEntry(index, document);
    }

    /// <summary>True when <paramref name="document"/> has an entry in index <paramref name="index"/> and its indexed value is <paramref name="value"/>.</summary>
    [SkipLocalsInit] // the key buffer is written before it is read
    internal bool Produces(int index, T document, ReadOnlySpan<byte> value)
    {
        var writer = new KeyWriter(stackalloc byte[KeyBufferSize]);
        try
        {
            return Schema.Indexes[index].WriteKey(ref writer, document) && writer.WrittenSpan.SequenceEqual(value);
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>
    /// True when index <paramref name="index"/> holds, as the transaction sees it now, the entry of indexed value
    /// <paramref name="value"/> for the primary key <paramref name="key"/>. <paramref name="entry"/> is the entry's key
    /// when the index is not unique (the value, then the primary key), ignored otherwise.
    /// </summary>
    internal bool HoldsEntry(Transaction transaction, int index, ReadOnlySpan<byte> value, ReadOnlySpan<byte> key, ReadOnlySpan<byte> entry) =>
        Schema.Indexes[index].Unique
            ? transaction.TryGet(IndexKeyspace(index), value, out var owner) && owner.SequenceEqual(key)
            : transaction.ContainsKey(IndexKeyspace(index), entry);

    /// <summary>An index entry refers to a document that does not exist.</summary>
    internal CorruptionException DanglingEntry(int index) => CorruptIndex(index, "refers to a document that does not exist");

    /// <summary>An index entry refers to a document that does not produce it.</summary>
    internal CorruptionException StaleEntry(int index, T document) => CorruptIndex(index,
        $"has a stale entry: it refers to the document with the key {Describe(Schema.GetKey(document))}, whose {string.Join(", ", Schema.Indexes[index].Members)} "
        + "no longer has the value the entry holds");

    private CorruptionException CorruptIndex(int index, string finding) => new(ErrorCode.Corruption,
        $"The index '{Schema.Indexes[index].Name}' of '{Name}' {finding}. The collection's CheckConsistency() lists the entries "
        + "that disagree with the documents, and its RepairIndexes() rebuilds them from the documents.");
}
