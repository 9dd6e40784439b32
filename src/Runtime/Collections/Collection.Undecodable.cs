using Persistence.Serialization;

namespace Persistence.Collections;

/// <content>
/// Documents that no longer decode: their bytes are intact (checksums pass) but this document type cannot read them,
/// after an incompatible change of a member's type, or bytes past the end written by a faulty version. The index
/// entries of a version are found from its values, which such a document cannot give: the entries naming it are found
/// by reading each index whole.
/// </content>
public abstract partial class Collection<T, TKey>
{
    /// <summary>Whether an entry names a primary key (its primary-key part, or an expiry entry's key after the instant).</summary>
    private delegate bool NamesKey(ReadOnlySpan<byte> key);

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

    /// <summary>An encoded primary key for a message: the key as the application writes it, then its bytes.</summary>
    private string DescribeKey(ReadOnlySpan<byte> key)
    {
        var hex = Convert.ToHexString(key);
        try
        {
            var reader = new KeyReader(key);
            return $"{Schema.ReadKey(ref reader)} (0x{hex})";
        }
        catch (PersistenceSerializationException)
        {
            return $"0x{hex}"; // stored under an encoding this type does not read
        }
    }
}
