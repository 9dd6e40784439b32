using Persistence.Serialization;

namespace Persistence.Collections;

/// <content>
/// <c>InsertMany</c> of a list in a large transaction: a chunk's documents first, then each of their trees' entries in
/// turn.
/// </content>
public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// How many documents <c>InsertMany</c> puts before it puts their index entries. Writing one document at a time
    /// goes from tree to tree (documents, each index, the expiry index) for every document; a chunk puts all its
    /// documents, then all their entries in one index, then in the next, so that each tree's pages and code stay in
    /// the processor's caches while it is written.
    /// </summary>
    internal int BulkChunk { get; set; } = 1024;

    /// <summary>
    /// How many bytes of encoded documents a chunk's run keeps until it logs them (<see cref="ChunkValues"/>): a run ends
    /// before the document that would pass it.
    /// </summary>
    internal int BulkBytes { get; set; } = 16 << 20;

    /// <summary>Fewer documents than this are written one by one.</summary>
    internal const int MinBulkChunk = 256;

    /// <summary>Documents put in bulk since the collection was made (for tests).</summary>
    internal long BulkInserted => Interlocked.Read(ref _bulkInserted);

    private long _bulkInserted;

    /// <summary>
    /// The buffers of the last <c>InsertMany</c> taken in chunks, for the next one (null while a call holds them): W1
    /// calls it for every 10,000 documents, and each call's buffers (about 450 KiB for its users, the encodings' past
    /// the large-object threshold as they grow) were garbage after ten chunks.
    /// </summary>
    private ChunkBuffers? _chunkBuffers;

    /// <summary>Buffers larger than this (grown for large documents) are not kept for the next call.</summary>
    private const int MaxKeptBufferBytes = 1 << 20;

    /// <summary>
    /// Inserts <paramref name="documents"/> in order, with the outcome of writing them one by one: on a refusal, the
    /// documents before the refused one are written (with their entries) and the refusal is thrown.
    /// </summary>
    /// <remarks>
    /// Only a collection (a list, an array) is taken in chunks: its documents exist before the first is written. A lazy
    /// sequence is written as it is read, since it may read the transaction, or hand over one object refilled for each
    /// document, and must see each document written before it yields the next. A collection's enumeration that throws
    /// (one modified meanwhile, or one of the caller's that loads as it is read) writes the documents read before it.
    /// </remarks>
    private void InsertAll(WriteTransaction transaction, IEnumerable<T> documents)
    {
        var count = documents switch
        {
            ICollection<T> collection => collection.Count,
            IReadOnlyCollection<T> collection => collection.Count,
            _ => 0,
        };

        if (count < MinBulkChunk || BulkChunk < MinBulkChunk || (Schema.Indexes.Count == 0 && !HasExpiry))
        {
            foreach (var document in documents)
            {
                Write(transaction, NotNull(document), WriteMode.Insert);
            }

            return;
        }

        var capacity = Math.Min(count, BulkChunk);
        var buffers = Interlocked.Exchange(ref _chunkBuffers, null);
        if (buffers is null || buffers.Documents.Length < capacity || buffers.Values.Limit != BulkBytes)
        {
            buffers = new ChunkBuffers(new T[capacity], new ChunkValues(BulkBytes), new ChunkEntries(EntryTrees(), Schema.Indexes.Count));
        }

        try
        {
            InsertChunks(transaction, documents, buffers.Documents.AsSpan(0, capacity), buffers.Values, buffers.Entries);
        }
        finally
        {
            buffers.Documents.AsSpan().Clear(); // kept, it must not keep the caller's documents alive
            if (buffers.Values.Capacity <= MaxKeptBufferBytes && buffers.Entries.Capacity <= MaxKeptBufferBytes)
            {
                _chunkBuffers = buffers;
            }
        }
    }

    /// <summary><see cref="InsertAll"/> of a collection: its documents gathered in <paramref name="chunk"/>.</summary>
    private void InsertChunks(WriteTransaction transaction, IEnumerable<T> documents, Span<T> chunk, ChunkValues values, ChunkEntries entries)
    {
        var buffered = 0;
        using var enumerator = documents.GetEnumerator();
        while (true)
        {
            T document;
            try
            {
                if (!enumerator.MoveNext())
                {
                    break;
                }

                document = enumerator.Current;
            }
            catch (Exception) when (buffered > 0)
            {
                // Written one by one, the documents before a read that throws are written: so are the buffered ones (a
                // refusal among them is thrown instead, as it would have come first).
                InsertChunk(transaction, chunk[..buffered], values, entries);
                throw;
            }

            if (buffered == 0 && !CanInsertInBulk(transaction))
            {
                Write(transaction, NotNull(document), WriteMode.Insert); // until the transaction has its private tree
                continue;
            }

            chunk[buffered++] = document; // a null is refused in its turn, after the documents before it
            if (buffered == chunk.Length)
            {
                InsertChunk(transaction, chunk, values, entries);
                buffered = 0;
            }
        }

        InsertChunk(transaction, chunk[..buffered], values, entries);
    }

    /// <summary>What <see cref="InsertAll"/> gathers a chunk's documents, encodings, keys and entries in.</summary>
    private sealed record ChunkBuffers(T[] Documents, ChunkValues Values, ChunkEntries Entries);

    /// <summary>A document of <c>InsertMany</c>'s sequence, refused when null.</summary>
    private static T NotNull(T? document) =>
        document ?? throw new ArgumentException("The sequence contains a null document.", "documents");

    /// <summary>
    /// A chunk needs the large transaction's one-descent checks (<see cref="WriteTransaction.TryAdd"/>: a small one's
    /// writes wait in its overlay), and entries in another tree to gain anything.
    /// </summary>
    private bool CanInsertInBulk(WriteTransaction transaction) =>
        !transaction.UsesOverlay && (Schema.Indexes.Count > 0 || HasExpiry);

    /// <summary>
    /// Puts the documents of the chunk that go in bulk, then writes the rest one by one: the first of those is one a
    /// single insert refuses, or decides otherwise than a fresh insert (a document or unique value of an expired
    /// document), and <see cref="Write"/> decides it as before.
    /// </summary>
    /// <remarks>
    /// One use of the transaction (its in-use guard held throughout): between a run's puts and their logging, its private
    /// tree holds writes its log lacks, and no other thread may find it so.
    /// </remarks>
    private void InsertChunk(WriteTransaction transaction, ReadOnlySpan<T> documents, ChunkValues values, ChunkEntries entries)
    {
        using var use = transaction.Use();
        var done = documents.Length < MinBulkChunk ? 0 : InsertLeading(transaction, documents, values, entries);
        Interlocked.Add(ref _bulkInserted, done);
        for (var d = done; d < documents.Length; d++)
        {
            Write(transaction, NotNull(documents[d]), WriteMode.Insert);
        }
    }

    /// <summary>
    /// Puts the longest leading run of <paramref name="documents"/> that a fresh insert of each, one after another, puts
    /// without a refusal, and returns its length. First every document's key and entries are computed up to the first
    /// whose getters throw or whose entries are over a limit, and the run ends before the first that repeats a unique
    /// value of an earlier one; then the documents are encoded up to the first whose serializer throws, whose encoding
    /// is over the limit or does not fit the chunk's buffer of encodings, and put up to the first whose key is present;
    /// then each tree's entries, up to the first unique value present. A unique value present ends the run there, and
    /// what the run put for the documents after it is taken back. The puts reach the transaction's log only once the run
    /// is settled, so the log (and the conflict check of the commit) holds exactly the writes of one by one. Throws only
    /// when the transaction has failed.
    /// </summary>
    /// <remarks>
    /// Every getter of the run's documents (their serializers' too) has run before the first put: a getter may write in
    /// this transaction itself (on this thread, which its in-use guard lets in), and must never find the private tree
    /// holding puts its log lacks. A delete of one of them would be logged before its put, and its entries, put after
    /// it, would name no document.
    /// </remarks>
    private int InsertLeading(WriteTransaction transaction, ReadOnlySpan<T> documents, ChunkValues values, ChunkEntries entries)
    {
        var trees = entries.Trees;
        var run = EncodeLeading(transaction, documents[..Prepare(transaction, documents, entries)], values);
        var put = 0;
        try
        {
            while (put < run && transaction.TryAddUnlogged(Documents, entries.Key(put), values[put]))
            {
                put++;
            }
        }
        catch (Exception) when (transaction.IsActive)
        {
            // A key over the length limit, refused before its put: written one by one, it is refused again. Nothing
            // thrown here follows a put (TryAddUnlogged fails the transaction when its put throws).
        }

        run = put;
        try
        {
            // Each tree takes the entries of documents [0, run); the trees before it already hold theirs.
            for (var t = 0; t < trees.Length; t++)
            {
                var tree = trees[t];
                for (var d = 0; d < run; d++)
                {
                    if (!entries.TryGetEntry(t, d, out var entry))
                    {
                        continue;
                    }

                    var key = entries.Key(d);
                    if (!transaction.TryAddUnlogged(tree.Keyspace, tree.KeyOf(entry, key), tree.ValueOf(entry, key)))
                    {
                        // The run ends here: take back what the documents from this one on put in the trees before.
                        for (var e = d; e < run; e++)
                        {
                            for (var u = 0; u < t; u++)
                            {
                                if (entries.TryGetEntry(u, e, out var taken))
                                {
                                    transaction.TakeBackUnlogged(trees[u].Keyspace, trees[u].KeyOf(taken, entries.Key(e)));
                                }
                            }

                            transaction.TakeBackUnlogged(Documents, entries.Key(e));
                        }

                        run = d;
                    }
                }
            }

            for (var d = 0; d < run; d++)
            {
                transaction.LogAdded(Documents, entries.Key(d), values[d]);
            }

            for (var t = 0; t < trees.Length; t++)
            {
                var tree = trees[t];
                for (var d = 0; d < run; d++)
                {
                    if (entries.TryGetEntry(t, d, out var entry))
                    {
                        var key = entries.Key(d);
                        transaction.LogAdded(tree.Keyspace, tree.KeyOf(entry, key), tree.ValueOf(entry, key));
                    }
                }
            }
        }
        catch (Exception ex)
        {
            // A put in a tree but not in the log would commit unlogged: nothing of this transaction may commit now.
            transaction.Abandon(ex);
            throw;
        }

        return run;
    }

    /// <summary>
    /// Encodes <paramref name="documents"/> into <paramref name="values"/> up to the first whose serializer throws, whose
    /// encoding is over the size limit, or that the buffer of encodings cannot hold, and returns how many it holds: the
    /// rest of the chunk is written one by one, where the first of them throws again. Throws only when the transaction
    /// has failed.
    /// </summary>
    private int EncodeLeading(WriteTransaction transaction, ReadOnlySpan<T> documents, ChunkValues values)
    {
        values.Clear();
        var encoded = 0;
        try
        {
            while (encoded < documents.Length)
            {
                var bytes = Encode(documents[encoded]!);
                Database.ValidateValue(bytes);
                if (!values.TryAdd(bytes))
                {
                    break;
                }

                encoded++;
            }
        }
        catch (Exception) when (transaction.IsActive)
        {
            // Written one by one, it throws again.
        }

        return encoded;
    }

    /// <summary>
    /// The encoded documents of a chunk, in one buffer reused from chunk to chunk, until the run is logged. It holds at
    /// most <see cref="BulkBytes"/>, or a single document of any size: a run ends before a document that would take it
    /// past that, and the rest of the chunk is written one by one, so a chunk of large documents holds at most that
    /// much beside what writing them one by one holds.
    /// </summary>
    private sealed class ChunkValues(int limit)
    {
        private byte[] _bytes = new byte[Math.Min(limit, 64 * 1024)];
        private readonly List<int> _ends = [];

        public int Limit => limit;

        public int Capacity => _bytes.Length;

        public ReadOnlySpan<byte> this[int index] =>
            _bytes.AsSpan()[(index == 0 ? 0 : _ends[index - 1]).._ends[index]];

        public void Clear() => _ends.Clear();

        /// <summary>Keeps <paramref name="value"/> after the others; false, keeping nothing, when it would pass the limit.</summary>
        public bool TryAdd(ReadOnlySpan<byte> value)
        {
            var start = _ends.Count == 0 ? 0 : _ends[^1];
            var end = start + value.Length; // one value (at most MaxValueSize) past a limit below 2 GiB: no overflow
            if (start > 0 && end > limit)
            {
                return false;
            }

            if (end > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(Math.Min(2 * _bytes.Length, limit), end));
            }

            value.CopyTo(_bytes.AsSpan(start));
            _ends.Add(end);
            return true;
        }
    }

    /// <summary>
    /// Computes each document's key and entries into <paramref name="entries"/> (all before any document is encoded:
    /// <see cref="Write"/> computes a document's index values before its encoding), up to the first whose getters throw
    /// or whose entries are over a limit (or empty), and checks that no unique value repeats an earlier document's.
    /// Returns how many documents lead without either: the entries of those are put without an exception unless the
    /// transaction fails.
    /// </summary>
    private int Prepare(WriteTransaction transaction, ReadOnlySpan<T> documents, ChunkEntries entries)
    {
        var indexes = Schema.Indexes.Count;
        var now = HasExpiry ? transaction.SnapshotTime : default;
        entries.Clear(documents.Length);
        for (var d = 0; d < documents.Length; d++)
        {
            if (documents[d] is not { } document)
            {
                return d;
            }

            try
            {
                var key = WriteKey(entries, Schema.GetKey(document));
                for (var i = 0; i < indexes; i++)
                {
                    if (WriteIndexValue(entries, i, document) is not { } value)
                    {
                        continue;
                    }

                    if (Schema.Indexes[i].Unique)
                    {
                        Database.ValidateKey(entries[value]); // the entry's key alone: its put refuses an empty one too
                        if (!entries.TryKeepUnique(i, d, value))
                        {
                            return d; // an earlier document of the chunk holds the value
                        }
                    }
                    else
                    {
                        Database.ValidateKeyLength(value.Length + key.Length);
                        entries.Keep(i, d, entries.Append(value, key));
                    }
                }

                if (HasExpiry)
                {
                    Database.ValidateKeyLength(sizeof(long) + key.Length);
                    if (NewExpiry(document, now) is { } expiry)
                    {
                        entries.Keep(indexes, d, entries.AppendExpiryEntry(expiry, key));
                        if (_storedExpiry is not null)
                        {
                            entries.Keep(indexes + 1, d, entries.AppendStoredExpiry(expiry)); // its tree's key is the document's
                        }
                    }
                }

                entries.KeepKey(d, key);
            }
            catch (Exception)
            {
                // Written one by one, it throws again, after the documents before it. Nothing here writes: in a failed
                // transaction too, the first write (of a document before this one) then reports the failure, as one by
                // one does.
                return d;
            }
        }

        return documents.Length;
    }

    /// <summary>Writes a primary key after the chunk's other bytes, as <see cref="EncodeKey"/> encodes it.</summary>
    private Slice WriteKey(ChunkEntries entries, TKey key)
    {
        var writer = new KeyWriter(entries.Free);
        try
        {
            Schema.WriteKey(ref writer, key);
            return entries.Append(writer.WrittenSpan);
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>
    /// Writes an index value after the chunk's other bytes, as <see cref="EncodeIndexValue"/> encodes it; null, writing
    /// nothing, when the document has no entry in that index.
    /// </summary>
    private Slice? WriteIndexValue(ChunkEntries entries, int index, T document)
    {
        var writer = new KeyWriter(entries.Free);
        try
        {
            return Schema.Indexes[index].WriteKey(ref writer, document) ? entries.Append(writer.WrittenSpan) : null;
        }
        finally
        {
            writer.Dispose();
        }
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
        /// <summary>The key this tree stores a document's <paramref name="entry"/> under.</summary>
        public ReadOnlySpan<byte> KeyOf(ReadOnlySpan<byte> entry, ReadOnlySpan<byte> documentKey) =>
            Value == EntryValue.IsEntry ? documentKey : entry;

        /// <summary>The value this tree stores with a document's <paramref name="entry"/>.</summary>
        public ReadOnlySpan<byte> ValueOf(ReadOnlySpan<byte> entry, ReadOnlySpan<byte> documentKey) => Value switch
        {
            EntryValue.DocumentKey => documentKey,
            EntryValue.IsEntry => entry,
            _ => [],
        };
    }
}
