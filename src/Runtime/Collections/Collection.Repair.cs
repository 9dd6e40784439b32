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
    public long RepairIndexes(WriteTransaction? transaction = null) =>
        Run(transaction, tx => Rebuild(tx, [.. Enumerable.Range(0, Schema.Indexes.Count)], HasExpiry));

    /// <summary>
    /// Makes the given indexes (and the expiry index when <paramref name="expiry"/>) hold exactly the entries the
    /// documents produce; returns how many entries were removed or written. Empty indexes are filled in one pass over
    /// the documents, without holding their entries in memory; others are compared entry by entry.
    /// </summary>
    private long Rebuild(WriteTransaction tx, IReadOnlyList<int> indexes, bool expiry)
    {
        if (indexes.All(i => tx.Count(IndexKeyspace(i)) == 0) && (!expiry || tx.Count(_expiryIndex!) == 0))
        {
            return Fill(tx, indexes, expiry);
        }

        var expected = indexes.ToDictionary(i => i, _ => new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance));
        var expectedExpiry = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        ForEachEntry(tx, indexes, expiry,
            (index, entry, value, document) =>
            {
                if (!expected[index].TryAdd(entry, value))
                {
                    throw UniqueValueHeldTwice(index, document);
                }
            },
            entry => expectedExpiry.TryAdd(entry, []));
        var changed = indexes.Sum(i => Reconcile(tx, IndexKeyspace(i), expected[i]));
        return expiry ? changed + Reconcile(tx, _expiryIndex!, expectedExpiry) : changed;
    }

    /// <summary>Puts every entry the documents produce into the given empty indexes; returns how many.</summary>
    private long Fill(WriteTransaction tx, IReadOnlyList<int> indexes, bool expiry)
    {
        var written = 0L;
        ForEachEntry(tx, indexes, expiry,
            (index, entry, value, document) =>
            {
                if (!Schema.Indexes[index].Unique)
                {
                    tx.Put(IndexKeyspace(index), entry, value);
                }
                else if (!tx.TryAdd(IndexKeyspace(index), entry, value, out _))
                {
                    throw UniqueValueHeldTwice(index, document);
                }

                written++;
            },
            entry =>
            {
                tx.Put(_expiryIndex!, entry, []);
                written++;
            });
        return written;
    }

    /// <summary>
    /// Calls <paramref name="indexEntry"/> with every entry (index, key, value, document) the documents produce in the
    /// given indexes, and <paramref name="expiryEntry"/> with every expiry entry when <paramref name="expiry"/>.
    /// Expired documents count: they keep their entries until the collector deletes them, as every write keeps them.
    /// </summary>
    private void ForEachEntry(WriteTransaction tx, IReadOnlyList<int> indexes, bool expiry, Action<int, byte[], byte[], T> indexEntry, Action<byte[]> expiryEntry)
    {
        using var cursor = tx.OpenCursor(Documents);
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            var key = cursor.Key.ToArray();
            var document = Decode(key, cursor.Value);
            foreach (var i in indexes)
            {
                if (EncodeIndexValue(i, document) is { } value)
                {
                    indexEntry(i, EntryKey(i, value, key), Schema.Indexes[i].Unique ? key : [], document);
                }
            }

            if (expiry && ExpiryOf(tx, key, document) is { } expires)
            {
                expiryEntry(ExpiryEntry(expires, key));
            }
        }
    }

    private UniqueConstraintException UniqueValueHeldTwice(int index, T document) => new(Name, Schema.Indexes[index].Name,
        $"Two documents of '{Name}' hold the same value of the unique index '{Schema.Indexes[index].Name}' (one is "
        + $"{Schema.GetKey(document)}): its entries cannot be built until one of them changes.");

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
