using System.Runtime.CompilerServices;
using Persistence.Serialization;

namespace Persistence.Collections;

/// <content>
/// Scans in a write transaction as keysets: which documents a scan visits, and in which order, is fixed when its
/// enumeration starts, and each is read as the transaction holds it when it is handed out.
/// </content>
public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// The documents of <paramref name="scan"/>; if <paramref name="transaction"/> writes, a keyset: the primary keys of
    /// the scan are gathered when the enumeration starts, and each document is loaded by its key as it is handed out.
    /// The transaction's cursors see its own writes as they happen, so a caller updating, inserting or deleting documents
    /// while a plain scan streamed would move them ahead of it and meet them again, or never stop.
    /// </summary>
    /// <remarks>
    /// <para>Only the keys are held, back to back in one buffer (<see cref="KeyList"/>): over a million small documents
    /// with 10-byte keys, a loop held 20.0 MiB at its first document, where gathering the documents themselves held
    /// 145.2 MiB (measured for stop 28 with a scratch harness).</para>
    /// <para><paramref name="scan"/> is called with whether the documents it visits count as reads (sliding expiration).
    /// The gathering pass loads them without counting, and each counts as it is handed to the caller, so that a loop that
    /// stops early extends only the documents it saw, as it does outside a write transaction.</para>
    /// <para>This gathering pass decodes each document to take its key, and the hand-out decodes it again: the query
    /// builder needs it, since it filters and sorts decoded documents. Scans that walk keys, the primary-key and index
    /// ranges, take the keyset from the keys alone (the overloads below), and decode each document once.</para>
    /// </remarks>
    internal IEnumerable<T> Stable(Func<bool, IEnumerable<T>> scan, Transaction? transaction)
    {
        if (transaction is not WriteTransaction write)
        {
            return scan(true);
        }

        var documents = scan(false);
        return Keyset(() => KeysOf(documents), write);
    }

    /// <summary>
    /// The documents of a primary-key range, in key order, as <see cref="Stable(Func{bool, IEnumerable{T}}, Transaction?)"/>
    /// streams them; in a write transaction, the keyset is read off the documents keyspace's keys (<see cref="DocumentKeyset"/>).
    /// </summary>
    internal IEnumerable<T> Stable(KeyRange range, bool descending, Transaction? transaction) =>
        transaction is WriteTransaction write
            ? Keyset(() => DocumentKeyset(write, range, descending), write)
            : ScanDocuments(range, descending, transaction);

    /// <summary>
    /// The documents an index range refers to, in index order, as <see cref="Stable(Func{bool, IEnumerable{T}}, Transaction?)"/>
    /// streams them; in a write transaction, the keyset is the primary keys the entries hold (<see cref="IndexKeyset"/>).
    /// </summary>
    /// <remarks>
    /// Each document is checked against the entry that named it when it is handed out: the keyset holds each entry's
    /// indexed value before its key. A document that does not produce its entry is reported as corruption if the index
    /// still holds that entry; if it does not, the loop changed or replaced the document since the keyset was gathered
    /// (a write moves the document's entries with it), and the document is handed out as the transaction holds it.
    /// </remarks>
    internal IEnumerable<T> Stable(int index, KeyRange range, bool descending, Transaction? transaction) =>
        transaction is WriteTransaction write
            ? Keyset(() => IndexKeyset(write, index, range, descending, withValues: true), write, index)
            : ScanIndex(index, range, descending, transaction);

    /// <summary>
    /// Gathers the keys when the enumeration starts, then loads each as it is handed out; with an
    /// <paramref name="index"/>, the keys were gathered from its entries with their values, and each document is
    /// checked against its entry (see <see cref="Stable(int, KeyRange, bool, Transaction?)"/>).
    /// </summary>
    private IEnumerable<T> Keyset(Func<KeyList> gather, WriteTransaction transaction, int index = -1)
    {
        var keys = Gather(gather, transaction);
        for (var i = 0; i < keys.Count; i++)
        {
            // As Get in the transaction: what it holds now (nothing once the loop deleted it), counted as a read (sliding
            // expiration), and remembered for an Update of it in the loop.
            if (LoadForUpdate(transaction, keys[i]) is { } document)
            {
                if (index >= 0 && !Produces(index, document, keys.ValueOf(i))
                    && HoldsEntry(transaction, index, keys.ValueOf(i), keys[i], keys.Entry(i)))
                {
                    throw StaleEntry(index, document);
                }

                yield return document;
            }
        }
    }

    /// <summary>
    /// Gathers a keyset as one use of the transaction. Not in <see cref="Keyset"/>: a use cannot span its
    /// <c>yield return</c>, and each document it hands out is loaded as a use of its own.
    /// </summary>
    private static KeyList Gather(Func<KeyList> gather, WriteTransaction transaction)
    {
        using var use = transaction.Use();
        return gather();
    }

    /// <summary>The primary keys of decoded documents, encoded again.</summary>
    private KeyList KeysOf(IEnumerable<T> documents)
    {
        var keys = new KeyList();
        foreach (var document in documents)
        {
            AddKey(keys, document);
        }

        return keys;
    }

    [SkipLocalsInit] // the key buffer is written before it is read
    private void AddKey(KeyList keys, T document)
    {
        var writer = new KeyWriter(stackalloc byte[KeyBufferSize]);
        try
        {
            Schema.WriteKey(ref writer, Schema.GetKey(document));
            keys.Add(writer.WrittenSpan);
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>
    /// The keys of the documents in a primary-key range that are live at the transaction's snapshot time, taken from the
    /// cursor: no document is decoded (unless expired ones pile up, see <see cref="WithoutExpired"/>), and none counts as read.
    /// </summary>
    private KeyList DocumentKeyset(WriteTransaction transaction, KeyRange range, bool descending)
    {
        var keys = new KeyList();
        using (var cursor = transaction.OpenCursor(Documents, range))
        {
            for (var ok = descending ? cursor.Last() : cursor.First(); ok; ok = descending ? cursor.Previous() : cursor.Next())
            {
                keys.Add(cursor.Key);
            }
        }

        return WithoutExpired(transaction, keys);
    }

    /// <summary>
    /// The primary keys the entries of an index range hold, in index order, of documents live at the transaction's
    /// snapshot time: no document is decoded (unless expired ones pile up, see <see cref="WithoutExpired"/>), and none
    /// counts as read. A write transaction's scans gather their keysets with it, and an index's count counts it. An entry whose document does not exist means the index is corrupt, and is reported here, as
    /// <see cref="ScanIndex"/> reports it: once the keys are gathered, a missing document is one the loop deleted.
    /// <paramref name="withValues"/> keeps each entry's indexed value before its key (<see cref="KeyList.ValueOf"/>), for
    /// the check of each document against its entry when it is handed out; no document is decoded to gather them.
    /// </summary>
    internal KeyList IndexKeyset(Transaction transaction, int index, KeyRange range, bool descending, bool withValues = false)
    {
        var keys = new KeyList();
        using (var cursor = transaction.OpenCursor(IndexKeyspace(index), range))
        {
            for (var ok = descending ? cursor.Last() : cursor.First(); ok; ok = descending ? cursor.Previous() : cursor.Next())
            {
                // Read in place, not copied: the lookup only reads, so the entry cannot move under it.
                var key = PrimaryKeyOfEntry(index, cursor.Key, cursor.Value, out var value);
                if (!transaction.ContainsKey(Documents, key))
                {
                    throw DanglingEntry(index);
                }

                keys.Add(withValues ? value : [], key);
            }
        }

        return WithoutExpired(transaction, keys);
    }

    /// <summary>
    /// How many expiry-index entries a keyset walks per key it gathered before it decides each key on its own document
    /// instead: a step of the walk costs a fraction of a lookup and decode.
    /// </summary>
    private const int ExpiredEntriesPerKey = 4;

    /// <summary>
    /// Leaves out of <paramref name="keys"/> the documents that are not live at the transaction's snapshot time. The
    /// expiry index's entries up to then say which without decoding anything (<see cref="ExpiredKeys"/>), but they are
    /// every expired document of the collection the collector has not removed yet, wherever their keys lie: a backlog
    /// (many documents expiring together, a collector left to the host, behind or stopped) would make a scan of a few
    /// documents walk, and hold, all of them. So the walk stops after <see cref="ExpiredEntriesPerKey"/> entries per key
    /// gathered, and past that each key is decided on its own decoded document (<see cref="Load"/>, without counting a
    /// read): a keyset costs at most a few steps, or one decode, per key it gathered.
    /// </summary>
    private KeyList WithoutExpired(Transaction transaction, KeyList keys)
    {
        if (_expiryIndex is null || keys.Count == 0)
        {
            return keys;
        }

        if (ExpiredKeys(transaction, (long)keys.Count * ExpiredEntriesPerKey, out var expired))
        {
            if (expired is not null)
            {
                keys.RemoveWhere(key => Holds(expired, key));
            }
        }
        else
        {
            keys.RemoveWhere(key => Load(transaction, key, isRead: false) is null); // each exists: null is expired
        }

        return keys;
    }

    private static bool Holds(HashSet<byte[]> keys, ReadOnlySpan<byte> key) =>
        keys.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(key);
}
