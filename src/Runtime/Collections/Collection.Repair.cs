namespace Persistence.Collections;

public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// Rebuilds the secondary indexes and the expiry index from the documents, in one write transaction: every entry
    /// that no document produces is removed and every entry a document produces but the index lacks is added. Entries
    /// that are right are left alone, so a consistent collection is not written to at all. Use it when
    /// <see cref="CheckConsistency"/> reports problems, for example after an upgrade that changed how an index encodes
    /// its values, or after damage cost an index entries its documents kept.
    /// </summary>
    /// <param name="transaction">The transaction to work in; without one the repair runs in its own, retried on conflict.</param>
    /// <returns>How many index entries were removed or added (0: the indexes agreed with the documents).</returns>
    /// <exception cref="UniqueConstraintException">Two documents hold the same value of a unique index; nothing is changed.</exception>
    /// <exception cref="PersistenceSerializationException">A document cannot be decoded; nothing is changed.</exception>
    /// <remarks>The expected entries of the whole collection are held in memory while the repair runs.</remarks>
    public long RepairIndexes(WriteTransaction? transaction = null) => Run(transaction, tx =>
    {
        var expected = new Dictionary<byte[], byte[]>[Schema.Indexes.Count];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        }

        var expectedExpiry = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        using (var cursor = tx.OpenCursor(Documents))
        {
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                // Expired documents keep their entries until the collector deletes them, as every write keeps them.
                var key = cursor.Key.ToArray();
                var document = Decode(key, cursor.Value);
                for (var i = 0; i < expected.Length; i++)
                {
                    if (EncodeIndexValue(i, document) is not { } value)
                    {
                        continue;
                    }

                    var unique = Schema.Indexes[i].Unique;
                    if (!expected[i].TryAdd(EntryKey(i, value, key), unique ? key : []))
                    {
                        throw new UniqueConstraintException(Name, Schema.Indexes[i].Name,
                            $"Two documents of '{Name}' hold the same value of the unique index '{Schema.Indexes[i].Name}' "
                            + $"(one is {Schema.GetKey(document)}): its entries cannot be rebuilt until one of them changes.");
                    }
                }

                if (HasExpiry && ExpiryOf(tx, key, document) is { } expiry)
                {
                    expectedExpiry.TryAdd(ExpiryEntry(expiry, key), []);
                }
            }
        }

        var changed = 0L;
        for (var i = 0; i < expected.Length; i++)
        {
            changed += Reconcile(tx, IndexKeyspace(i), expected[i]);
        }

        return _expiryIndex is null ? changed : changed + Reconcile(tx, _expiryIndex, expectedExpiry);
    });

    /// <summary>Makes <paramref name="keyspace"/> hold exactly the <paramref name="expected"/> entries; returns how many it removed or wrote.</summary>
    private static long Reconcile(WriteTransaction transaction, Keyspace keyspace, Dictionary<byte[], byte[]> expected)
    {
        var removals = new List<byte[]>();
        var writes = new List<KeyValuePair<byte[], byte[]>>();
        using (var cursor = transaction.OpenCursor(keyspace))
        {
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                var key = cursor.Key.ToArray();
                if (!expected.Remove(key, out var value))
                {
                    removals.Add(key);
                }
                else if (!cursor.Value.SequenceEqual(value))
                {
                    writes.Add(new(key, value));
                }
            }
        }

        writes.AddRange(expected); // what the index lacks

        // Applied once the cursor is closed: the keyspace is not changed under it.
        foreach (var key in removals)
        {
            transaction.Delete(keyspace, key);
        }

        foreach (var (key, value) in writes)
        {
            transaction.Put(keyspace, key, value);
        }

        return removals.Count + writes.Count;
    }
}
