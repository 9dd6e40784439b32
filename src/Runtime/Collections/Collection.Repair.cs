using System.Globalization;

using Persistence.BTree;

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
    /// <exception cref="PersistenceSerializationException">A document cannot be decoded; nothing is changed (in the caller's
    /// transaction, roll it back: entries may have been put into empty indexes before it was found). The message names
    /// its key: <see cref="Delete"/> removes it with every entry naming it, and <see cref="CheckConsistency"/> lists
    /// every such document.</exception>
    /// <remarks>
    /// The expected entries are built in scratch keyspaces of the transaction (dropped before it returns) and compared with
    /// the indexes in key order, a batch at a time: the memory a repair holds does not grow with the collection, beyond
    /// what its transaction writes (a large one writes its pages out early).
    /// </remarks>
    public long RepairIndexes(WriteTransaction? transaction = null) =>
        Run(transaction, tx => Rebuild(tx, [.. Enumerable.Range(0, Schema.Indexes.Count)], HasExpiry, RepairRefused));

    /// <summary>What a repair cannot do for a document that cannot be decoded (<see cref="DecodeStored"/>).</summary>
    private const string RepairRefused = "the entries of the collection's indexes cannot be built from its documents";

    /// <summary>
    /// Makes the given indexes (and the expiry index when <paramref name="expiry"/>) hold exactly the entries the
    /// documents produce; returns how many entries were removed or written. Empty indexes are filled in one pass over
    /// the documents; others are compared entry by entry with the entries the documents produce, which one pass puts
    /// into scratch keyspaces of the transaction. Neither holds the entries in memory. An expired document that holds a
    /// unique value another document holds too is deleted (<see cref="Loser"/>). A document that cannot be decoded is
    /// refused, saying <paramref name="refused"/> (<see cref="DecodeStored"/>).
    /// </summary>
    private long Rebuild(WriteTransaction tx, IReadOnlyList<int> indexes, bool expiry, string refused)
    {
        if (indexes.All(i => tx.Count(IndexKeyspace(i)) == 0) && (!expiry || tx.Count(_expiryIndex!) == 0))
        {
            return Fill(tx, indexes, expiry, refused);
        }

        if (Agree(tx, indexes, expiry, refused))
        {
            return 0; // a consistent collection is not written to at all
        }

        var expected = indexes.ToDictionary(i => i, i => tx.CreateKeyspace(IndexKeyspaceName(Name, ScratchPrefix + i.ToString(CultureInfo.InvariantCulture))));
        var expectedExpiry = expiry ? tx.CreateKeyspace(IndexKeyspaceName(Name, ScratchPrefix + ExpiryName)) : null;
        try
        {
            var losers = new HashSet<byte[]>(ByteArrayComparer.Instance);
            ForEachEntry(tx, indexes, expiry, refused,
                (index, entry, value, key, document) =>
                {
                    if (!Schema.Indexes[index].Unique)
                    {
                        tx.Put(expected[index], entry, value);
                        return;
                    }

                    if (tx.TryAdd(expected[index], entry, value, out var owner))
                    {
                        return;
                    }

                    var loser = Loser(tx, index, key, document, owner.ToArray());
                    losers.Add(loser);
                    if (!ReferenceEquals(loser, key))
                    {
                        tx.Put(expected[index], entry, value); // the value is the live document's
                    }
                },
                entry => tx.Put(expectedExpiry!, entry, []));
            if (losers.Count > 0)
            {
                // Deleted once the pass is over, then the entries are computed again without them.
                DropScratch(tx, expected.Values, expectedExpiry);
                expected.Clear();
                expectedExpiry = null;
                return losers.Sum(loser => DeleteExpiredHolder(tx, loser)) + Rebuild(tx, indexes, expiry, refused);
            }

            var changed = indexes.Sum(i => Reconcile(tx, IndexKeyspace(i), expected[i]));
            return expectedExpiry is not null ? changed + Reconcile(tx, _expiryIndex!, expectedExpiry) : changed;
        }
        finally
        {
            if (tx.IsActive)
            {
                DropScratch(tx, expected.Values, expectedExpiry);
            }
        }
    }

    /// <summary>
    /// True when the given indexes (and the expiry index when <paramref name="expiry"/>) hold exactly the entries the
    /// documents produce, found without holding them: every entry a document produces is there with its value, and each
    /// index holds as many entries as the documents produce. Entries are distinct (a non-unique entry ends with its
    /// primary key, an expiry entry too, and two documents producing one unique entry fail the value check), so the
    /// two together mean equal sets.
    /// </summary>
    private bool Agree(WriteTransaction tx, IReadOnlyList<int> indexes, bool expiry, string refused)
    {
        var agree = true;
        var produced = new long[Schema.Indexes.Count];
        var producedExpiry = 0L;
        ForEachEntry(tx, indexes, expiry, refused,
            (index, entry, value, _, _) =>
            {
                produced[index]++;
                agree = agree && tx.TryGet(IndexKeyspace(index), entry, out var held) && held.SequenceEqual(value);
            },
            entry =>
            {
                producedExpiry++;
                agree = agree && tx.ContainsKey(_expiryIndex!, entry);
            });
        return agree && indexes.All(i => tx.Count(IndexKeyspace(i)) == produced[i]) && (!expiry || tx.Count(_expiryIndex!) == producedExpiry);
    }

    /// <summary>
    /// The name of a repair's scratch keyspace, after <c>#</c>, starts with it: <c>users#$repair:0</c> for the first
    /// index, <c>users#$repair:$expiry</c>. The index's position, not its name, so that a scratch name is never longer
    /// than the keyspace names a valid collection already has (see <see cref="ValidateIndexNames"/>).
    /// </summary>
    private const string ScratchPrefix = "$repair:";

    private static void DropScratch(WriteTransaction tx, IEnumerable<Keyspace> scratch, Keyspace? expiry)
    {
        foreach (var keyspace in scratch.Append(expiry).OfType<Keyspace>())
        {
            tx.DeleteKeyspace(keyspace);
        }
    }

    /// <summary>Puts every entry the documents produce into the given empty indexes; returns how many were written or removed.</summary>
    private long Fill(WriteTransaction tx, IReadOnlyList<int> indexes, bool expiry, string refused)
    {
        var written = 0L;
        var losers = new HashSet<byte[]>(ByteArrayComparer.Instance);
        ForEachEntry(tx, indexes, expiry, refused,
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
    /// every write keeps them. A document that cannot be decoded is refused, saying <paramref name="refused"/>.
    /// </summary>
    private void ForEachEntry(WriteTransaction tx, IReadOnlyList<int> indexes, bool expiry, string refused,
        Action<int, byte[], byte[], byte[], T> indexEntry, Action<byte[]> expiryEntry)
    {
        using var cursor = tx.OpenCursor(Documents);
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            var key = cursor.Key.ToArray();
            var document = DecodeStored(key, cursor.Value, refused);
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
        + $"{Describe(Schema.GetKey(document))}): its entries cannot be built until one of them changes.");

    /// <summary>
    /// Makes <paramref name="keyspace"/> hold exactly the entries of <paramref name="expected"/>; returns how many it
    /// removed or wrote. Both are read in key order side by side; the differences are applied a batch at a time, once
    /// the cursors are closed (the keyspace is not changed under them), and the walk resumes at the first key not yet
    /// compared. A keyspace that is right is not written to.
    /// </summary>
    private static long Reconcile(WriteTransaction transaction, Keyspace keyspace, Keyspace expected)
    {
        const int Batch = 4096;
        var changed = 0L;
        var range = KeyRange.All;
        while (true)
        {
            var removals = new List<byte[]>();
            var writes = new List<KeyValuePair<byte[], byte[]>>();
            byte[]? resume = null;
            using (var actual = transaction.OpenCursor(keyspace, range))
            using (var wanted = transaction.OpenCursor(expected, range))
            {
                var hasActual = actual.First();
                var hasWanted = wanted.First();
                while (hasActual || hasWanted)
                {
                    if (removals.Count + writes.Count >= Batch)
                    {
                        resume = (!hasWanted || (hasActual && KeyComparer.Compare(actual.Key, wanted.Key) < 0) ? actual.Key : wanted.Key).ToArray();
                        break;
                    }

                    var order = !hasWanted ? -1 : !hasActual ? 1 : KeyComparer.Compare(actual.Key, wanted.Key);
                    if (order < 0)
                    {
                        removals.Add(actual.Key.ToArray()); // no document produces it
                        hasActual = actual.Next();
                    }
                    else if (order > 0)
                    {
                        writes.Add(new(wanted.Key.ToArray(), wanted.Value.ToArray())); // what the index lacks
                        hasWanted = wanted.Next();
                    }
                    else
                    {
                        if (!actual.Value.SequenceEqual(wanted.Value))
                        {
                            writes.Add(new(wanted.Key.ToArray(), wanted.Value.ToArray()));
                        }

                        hasActual = actual.Next();
                        hasWanted = wanted.Next();
                    }
                }
            }

            foreach (var key in removals)
            {
                transaction.Delete(keyspace, key);
            }

            foreach (var (key, value) in writes)
            {
                transaction.Put(keyspace, key, value);
            }

            changed += removals.Count + writes.Count;
            if (resume is null)
            {
                return changed;
            }

            range = KeyRange.From(resume);
        }
    }
}
