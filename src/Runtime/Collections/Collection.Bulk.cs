using System.Buffers.Binary;

namespace Persistence.Collections;

/// <content>
/// <c>InsertMany</c> in a large transaction: a chunk's documents first, then each of their trees' entries in turn.
/// </content>
public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// How many documents <c>InsertMany</c> puts before it puts their index entries. Writing one document at a time
    /// goes from tree to tree (documents, each index, the expiry index) for every document; a chunk puts all its
    /// documents, then all their entries in one index, then in the next, so that each tree's pages and code stay in
    /// the processor's caches while it is written.
    /// </summary>
    internal int BulkChunk { get; set; } = 4096;

    /// <summary>Fewer documents than this are written one by one.</summary>
    internal const int MinBulkChunk = 256;

    /// <summary>Chunks put in bulk since the collection was made (for tests: a chunk that fell back is not counted).</summary>
    internal int BulkChunksInserted => _bulkChunksInserted;

    private int _bulkChunksInserted;

    /// <summary>
    /// Inserts <paramref name="documents"/> in order, with the outcome of writing them one by one: on a refusal, the
    /// documents before the refused one are written (with their entries) and the refusal is thrown.
    /// </summary>
    private void InsertAll(WriteTransaction transaction, IEnumerable<T> documents)
    {
        T[]? chunk = null;
        var buffered = 0;
        using var enumerator = documents.GetEnumerator();
        while (true)
        {
            bool more;
            T? document;
            try
            {
                more = enumerator.MoveNext();
                document = more ? enumerator.Current : null;
            }
            catch
            {
                InsertBuffered(transaction, chunk, buffered); // the documents before an enumeration that throws are written
                throw;
            }

            if (!more)
            {
                break;
            }

            if (document is null)
            {
                InsertBuffered(transaction, chunk, buffered);
                throw new ArgumentException("The sequence contains a null document.", nameof(documents));
            }

            if (buffered == 0 && !CanInsertInBulk(transaction))
            {
                Write(transaction, document, WriteMode.Insert);
                continue;
            }

            chunk ??= new T[BulkChunk];
            chunk[buffered++] = document;
            if (buffered == chunk.Length)
            {
                InsertBuffered(transaction, chunk, buffered);
                buffered = 0;
            }
        }

        InsertBuffered(transaction, chunk, buffered);
    }

    /// <summary>
    /// A chunk needs the large transaction's one-descent checks (<see cref="WriteTransaction.TryAdd"/>: a small one's
    /// writes wait in its overlay), and entries in another tree to gain anything.
    /// </summary>
    private bool CanInsertInBulk(WriteTransaction transaction) =>
        !transaction.UsesOverlay && (Schema.Indexes.Count > 0 || HasExpiry) && BulkChunk >= MinBulkChunk;

    private void InsertBuffered(WriteTransaction transaction, T[]? chunk, int count)
    {
        if (count == 0)
        {
            return;
        }

        var documents = chunk.AsSpan(0, count);
        if (count < MinBulkChunk || !TryInsertChunk(transaction, documents))
        {
            foreach (var document in documents)
            {
                Write(transaction, document, WriteMode.Insert);
            }
        }

        documents.Clear(); // the array is reused: it should not keep the caller's documents alive
    }

    /// <summary>
    /// Puts the documents, then their entries tree by tree. Returns false, having taken back everything it put, when
    /// anything is not as a fresh insert of every document expects: a key or unique value present (in the tree or twice
    /// in the chunk; in a collection with expiry, its holder may have expired), a getter or serializer that throws, a
    /// size over a limit. The caller then writes the documents one by one, which decides each case as a single insert
    /// does: it writes the documents before a refused one and throws the refusal. Throws only when the transaction has
    /// failed.
    /// </summary>
    private bool TryInsertChunk(WriteTransaction transaction, ReadOnlySpan<T> documents)
    {
        var trees = EntryTrees();
        var keys = new byte[documents.Length][];
        var entries = new byte[]?[trees.Length][];
        for (var t = 0; t < trees.Length; t++)
        {
            entries[t] = new byte[documents.Length][];
        }

        var added = 0; // documents put
        var put = new int[trees.Length]; // entries put, per tree, in document order
        var now = HasExpiry ? transaction.SnapshotTime : default;
        try
        {
            for (var d = 0; d < documents.Length; d++)
            {
                var document = documents[d];
                var key = EncodeKey(Schema.GetKey(document));
                for (var i = 0; i < Schema.Indexes.Count; i++)
                {
                    // As in Write, every index value is computed before the document's encoding.
                    if (EncodeIndexValue(i, document) is { } value)
                    {
                        Database.ValidateKeyLength(Schema.Indexes[i].Unique ? value.Length : value.Length + key.Length);
                        entries[i][d] = EntryKey(i, value, key);
                    }
                }

                if (HasExpiry)
                {
                    Database.ValidateKeyLength(sizeof(long) + key.Length);
                    if (NewExpiry(document, now) is { } expiry)
                    {
                        entries[Schema.Indexes.Count][d] = ExpiryEntry(expiry, key);
                        if (_storedExpiry is not null)
                        {
                            var ticks = new byte[sizeof(long)];
                            BinaryPrimitives.WriteInt64BigEndian(ticks, expiry.UtcTicks);
                            entries[Schema.Indexes.Count + 1][d] = ticks; // its tree's key is the document's
                        }
                    }
                }

                var encoded = Encode(document);
                Database.ValidateValue(encoded);
                if (!transaction.TryAdd(Documents, key, encoded, out _))
                {
                    return TakeBack(transaction, trees, keys, added, entries, put);
                }

                keys[d] = key;
                added++;
            }

            for (var t = 0; t < trees.Length; t++)
            {
                var tree = trees[t];
                for (var d = 0; d < documents.Length; d++)
                {
                    if (entries[t][d] is not { } entry)
                    {
                        continue;
                    }

                    var (entryKey, entryValue) = tree.Entry(entry, keys[d]);
                    if (!transaction.TryAdd(tree.Keyspace, entryKey, entryValue, out _))
                    {
                        return TakeBack(transaction, trees, keys, added, entries, put);
                    }

                    put[t] = d + 1;
                }
            }

            Interlocked.Increment(ref _bulkChunksInserted);
            return true;
        }
        catch (Exception) when (transaction.IsActive)
        {
            return TakeBack(transaction, trees, keys, added, entries, put);
        }
    }

    /// <summary>
    /// Deletes what <see cref="TryInsertChunk"/> put: every key it put was absent before, so the trees then hold what
    /// they held before it. Returns false.
    /// </summary>
    private bool TakeBack(WriteTransaction transaction, EntryTree[] trees, byte[][] keys, int added, byte[]?[][] entries, int[] put)
    {
        for (var t = 0; t < trees.Length; t++)
        {
            for (var d = 0; d < put[t]; d++)
            {
                if (entries[t][d] is { } entry)
                {
                    transaction.Delete(trees[t].Keyspace, trees[t].Entry(entry, keys[d]).Key);
                }
            }
        }

        for (var d = 0; d < added; d++)
        {
            transaction.Delete(Documents, keys[d]);
        }

        return false;
    }

    /// <summary>
    /// The trees a new document puts entries in besides its own: each index (its entry's key is computed per document;
    /// a unique index's value is the document's key), then with expiry the expiry index (an instant and the key) and
    /// the stored expiries (the key, and the instant as its value).
    /// </summary>
    private EntryTree[] EntryTrees()
    {
        var trees = new List<EntryTree>();
        for (var i = 0; i < Schema.Indexes.Count; i++)
        {
            trees.Add(new EntryTree(IndexKeyspace(i), Schema.Indexes[i].Unique ? EntryValue.DocumentKey : EntryValue.Empty));
        }

        if (_expiryIndex is not null)
        {
            trees.Add(new EntryTree(_expiryIndex, EntryValue.Empty));
            if (_storedExpiry is not null)
            {
                trees.Add(new EntryTree(_storedExpiry, EntryValue.IsEntry));
            }
        }

        return [.. trees];
    }

    private enum EntryValue
    {
        /// <summary>The entry is the key; the value is empty.</summary>
        Empty,

        /// <summary>The entry is the key; the value is the document's key.</summary>
        DocumentKey,

        /// <summary>The document's key is the key; the entry is the value.</summary>
        IsEntry,
    }

    private readonly record struct EntryTree(Keyspace Keyspace, EntryValue Value)
    {
        public (byte[] Key, byte[] Value) Entry(byte[] entry, byte[] documentKey) => Value switch
        {
            EntryValue.DocumentKey => (entry, documentKey),
            EntryValue.IsEntry => (documentKey, entry),
            _ => (entry, []),
        };
    }
}
