namespace Persistence.Collections;

public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// Rebuilds the secondary indexes and the expiry index from the documents, in one write transaction: every entry
    /// that no document produces is removed and every entry a document produces but the index lacks is added. Entries
    /// that are right are left alone, so a consistent collection is not written to at all. Use it when
    /// <see cref="CheckConsistency"/> reports problems, for example after an upgrade that changed how an index encodes
    /// its values, or after damage cost an index entries its documents kept. An expired document that holds a unique
    /// value a live document holds too is deleted, as a write of that value would delete it.
    /// </summary>
    /// <param name="transaction">The transaction to work in; without one the repair runs in its own, retried on conflict.</param>
    /// <returns>How many index entries were removed or added, and expired documents deleted (0: the indexes agreed with the documents).</returns>
    /// <exception cref="UniqueConstraintException">Two live documents hold the same value of a unique index; nothing is
    /// changed (in the caller's transaction, roll it back: entries may have been put before the second was found).</exception>
    /// <exception cref="PersistenceSerializationException">A document cannot be decoded; nothing is changed.</exception>
    /// <remarks>The expected entries of the whole collection are held in memory while the repair runs.</remarks>
    public long RepairIndexes(WriteTransaction? transaction = null) =>
        Run(transaction, tx => Rebuild(tx, [.. Enumerable.Range(0, Schema.Indexes.Count)], HasExpiry));

    /// <summary>
    /// Makes the given indexes (and the expiry index when <paramref name="expiry"/>) hold exactly the entries the
    /// documents produce; returns how many entries were removed or written. Empty indexes are filled in one pass over
    /// the documents, without holding their entries in memory; others are compared entry by entry. An expired document
    /// that holds a unique value another document holds too is deleted (<see cref="Loser"/>).
    /// </summary>
    private long Rebuild(WriteTransaction tx, IReadOnlyList<int> indexes, bool expiry)
    {
        if (indexes.All(i => tx.Count(IndexKeyspace(i)) == 0) && (!expiry || tx.Count(_expiryIndex!) == 0))
        {
            return Fill(tx, indexes, expiry);
        }

        var expected = indexes.ToDictionary(i => i, _ => new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance));
        var expectedExpiry = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        var losers = new HashSet<byte[]>(ByteArrayComparer.Instance);
        ForEachEntry(tx, indexes, expiry,
            (index, entry, value, key, document) =>
            {
                if (expected[index].TryAdd(entry, value))
                {
                    return;
                }

                var loser = Loser(tx, index, key, document, expected[index][entry]);
                losers.Add(loser);
                if (!ReferenceEquals(loser, key))
                {
                    expected[index][entry] = value; // the value is the live document's
                }
            },
            entry => expectedExpiry.TryAdd(entry, []));
        if (losers.Count > 0)
        {
            // Deleted once the pass is over, then the entries are computed again without them.
            return losers.Sum(loser => DeleteExpiredHolder(tx, loser)) + Rebuild(tx, indexes, expiry);
        }

        var changed = indexes.Sum(i => Reconcile(tx, IndexKeyspace(i), expected[i]));
        return expiry ? changed + Reconcile(tx, _expiryIndex!, expectedExpiry) : changed;
    }

    /// <summary>Puts every entry the documents produce into the given empty indexes; returns how many were written or removed.</summary>
    private long Fill(WriteTransaction tx, IReadOnlyList<int> indexes, bool expiry)
    {
        var written = 0L;
        var losers = new HashSet<byte[]>(ByteArrayComparer.Instance);
        ForEachEntry(tx, indexes, expiry,
            (index, entry, value, key, document) =>
            {
                if (!Schema.Indexes[index].Unique)
                {
                    tx.Put(IndexKeyspace(index), entry, value);
                }
                else if (!tx.TryAdd(IndexKeyspace(index), entry, value, out var owner))
                {
                    var loser = Loser(tx, index, key, document, owner.ToArray());
                    losers.Add(loser);
                    if (ReferenceEquals(loser, key))
                    {
                        return;
                    }

                    tx.Put(IndexKeyspace(index), entry, value); // the value is the live document's
                }

                written++;
            },
            entry =>
            {
                tx.Put(_expiryIndex!, entry, []);
                written++;
            });

        // Once the pass is over: the documents are not changed under its cursor.
        return written + losers.Sum(loser => DeleteExpiredHolder(tx, loser));
    }

    /// <summary>
    /// Of two documents holding one value of a unique index (<paramref name="key"/>'s and <paramref name="owner"/>'s),
    /// the one that gives it up: an expired one, whose value is free (a write taking it deletes it, as the collector
    /// would). Two live documents cannot both keep it: that is refused.
    /// </summary>
    private byte[] Loser(WriteTransaction tx, int index, byte[] key, T document, byte[] owner)
    {
        if (!IsLive(tx, key, document, isRead: false))
        {
            return key;
        }

        return Load(tx, owner, isRead: false) is null ? owner : throw UniqueValueHeldTwice(index, document);
    }

    /// <summary>
    /// Deletes an expired document that gave up a unique value (<see cref="Loser"/>) with its entries: those of unique
    /// indexes only where they are still its own. Returns how many index and expiry entries it removed, plus one for the
    /// document.
    /// </summary>
    private long DeleteExpiredHolder(WriteTransaction tx, byte[] key)
    {
        if (!tx.TryGet(Documents, key, out var bytes))
        {
            return 0;
        }

        var document = Decode(key, bytes);
        var removed = 0L;
        for (var i = 0; i < Schema.Indexes.Count; i++)
        {
            if (EncodeIndexValue(i, document) is not { } value)
            {
                continue;
            }

            var entry = EntryKey(i, value, key);
            var own = !Schema.Indexes[i].Unique || (tx.TryGet(IndexKeyspace(i), entry, out var owner) && owner.SequenceEqual(key));
            if (own && tx.Delete(IndexKeyspace(i), entry))
            {
                removed++;
            }
        }

        if (HasExpiry && ExpiryOf(tx, key, document) is { } expires && tx.Delete(_expiryIndex!, ExpiryEntry(expires, key)))
        {
            removed++;
        }

        if (_storedExpiry is not null)
        {
            tx.Delete(_storedExpiry, key);
        }

        tx.Delete(Documents, key);
        return removed + 1;
    }

    /// <summary>
    /// Calls <paramref name="indexEntry"/> with every entry (index, entry key, entry value, primary key, document) the
    /// documents produce in the given indexes, and <paramref name="expiryEntry"/> with every expiry entry when
    /// <paramref name="expiry"/>. Expired documents count: they keep their entries until the collector deletes them, as
    /// every write keeps them.
    /// </summary>
    private void ForEachEntry(WriteTransaction tx, IReadOnlyList<int> indexes, bool expiry, Action<int, byte[], byte[], byte[], T> indexEntry, Action<byte[]> expiryEntry)
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
                    indexEntry(i, EntryKey(i, value, key), Schema.Indexes[i].Unique ? key : [], key, document);
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
