namespace Persistence.Collections;

/// <content>
/// Documents that no longer decode: their bytes are intact (checksums pass) but this document type cannot read them,
/// after an incompatible change of a member's type, or bytes past the end written by a faulty version. A write finds
/// the index entries of the version it replaces from that version's values, which such a document cannot give. So
/// <see cref="Delete"/> finds them the other way, by reading each index whole for the entries naming its key, and a
/// replacing write or a repair refuses it with a message that names the key and points at the delete. An insert needs
/// no values of what it refuses: it refuses such a document as any other existing key.
/// </content>
public abstract partial class Collection<T, TKey>
{
    /// <summary>Whether an entry names a primary key (its primary-key part, or an expiry entry's key after the instant).</summary>
    private delegate bool NamesKey(ReadOnlySpan<byte> key);

    /// <summary>
    /// Decodes the stored version a write replaces or a repair reads; one that cannot be decoded is refused with a
    /// <see cref="PersistenceSerializationException"/> that names its key, says what <paramref name="consequence"/> it
    /// has, and points at <see cref="Delete"/>.
    /// </summary>
    private T DecodeStored(ReadOnlySpan<byte> key, ReadOnlySpan<byte> bytes, string consequence)
    {
        try
        {
            return Decode(key, bytes);
        }
        catch (PersistenceSerializationException failure)
        {
            throw new PersistenceSerializationException(
                $"The document stored under the key {DescribeKey(key)} in '{Name}' cannot be decoded as {typeof(T).Name}, so {consequence}. "
                + $"Delete(key) removes it with every index and expiry entry naming it, and CheckConsistency() lists every such document. {failure.Message}",
                failure);
        }
    }

    /// <summary>The stored document, or null when this type cannot decode it (an insert refuses it as it is).</summary>
    private T? TryDecode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> bytes)
    {
        try
        {
            return Decode(key, bytes);
        }
        catch (PersistenceSerializationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Deletes the documents stored under the given keys, which cannot be decoded (each with its failure), with every
    /// entry naming them: those of each index (a unique entry by its value, any other by its key's end) and of the
    /// expiry index, and their stored expiries. Their values are unknown, so each index is read whole, once for all of
    /// them: O(entries), a rare path, each document logged as a warning (event 18).
    /// </summary>
    private void DeleteUndecodable(WriteTransaction transaction, IReadOnlyList<(byte[] Key, PersistenceSerializationException Failure)> documents)
    {
        if (documents.Count == 0)
        {
            return;
        }

        var counts = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        foreach (var (key, _) in documents)
        {
            counts[key] = 0;
        }

        var lookup = counts.GetAlternateLookup<ReadOnlySpan<byte>>();
        var entries = new List<(Keyspace Keyspace, byte[] Entry)>();
        ForEachEntryNaming(transaction, named =>
        {
            if (!lookup.TryGetValue(named, out var count))
            {
                return false;
            }

            lookup[named] = count + 1; // the entry is counted for the document it names
            return true;
        }, (keyspace, entry, _) => entries.Add((keyspace, entry)));

        foreach (var (key, failure) in documents)
        {
            Diagnostics.Log.UndecodableDocumentDeleted(Database.Logger, DescribeKey(key), Name, Database.Path ?? ":memory:", failure.Message, counts[key]);
        }

        // Deleted once every cursor is closed: no index is changed under its walk.
        foreach (var (keyspace, entry) in entries)
        {
            transaction.Delete(keyspace, entry);
        }

        foreach (var (key, _) in documents)
        {
            if (_storedExpiry is not null)
            {
                transaction.Delete(_storedExpiry, key);
            }

            transaction.Delete(Documents, key);
        }
    }

    /// <summary>
    /// Calls <paramref name="found"/> with the keyspace, key and value of every index and expiry entry whose primary key
    /// <paramref name="names"/> accepts. Reads every index whole.
    /// </summary>
    private void ForEachEntryNaming(Transaction transaction, NamesKey names, Action<Keyspace, byte[], byte[]> found)
    {
        for (var i = 0; i < Schema.Indexes.Count; i++)
        {
            using var cursor = transaction.OpenCursor(IndexKeyspace(i));
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                if (names(PrimaryKeyOfEntry(i, cursor.Key, cursor.Value, out _)))
                {
                    found(IndexKeyspace(i), cursor.Key.ToArray(), cursor.Value.ToArray());
                }
            }
        }

        if (_expiryIndex is not null)
        {
            using var cursor = transaction.OpenCursor(_expiryIndex);
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                if (names(cursor.Key[sizeof(long)..]))
                {
                    found(_expiryIndex, cursor.Key.ToArray(), cursor.Value.ToArray());
                }
            }
        }
    }
}
