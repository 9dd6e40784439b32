using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using Persistence.BTree;
using Persistence.Serialization;

namespace Persistence.Collections;

/// <summary>
/// A typed collection of documents bound to a <see cref="Database"/>: the base of every generated
/// <c>{Type}Collection</c>. Each operation takes an optional transaction; without one it runs in its own (a write is
/// then retried on conflict, see <see cref="Database.Write{T}(Func{WriteTransaction, T}, RetryPolicy?, Durability?)"/>).
/// Instances are thread-safe; create one per database and share it (the dependency-injection registrations do). More
/// instances of a collection on one database are correct and hold nothing of their own that grows: the state they
/// must agree on (the stored documents, sliding expiration's pending reads, the hot cache) belongs to the database.
/// Constructing one reads the collection's keyspaces and index definitions, and writes only when they must be created,
/// recorded or built.
/// </summary>
public abstract partial class Collection<T, TKey>
    where T : class
{
    private const int KeyBufferSize = 128;

    /// <summary>The most UTF-8 bytes of a keyspace name (<see cref="Keyspace"/>).</summary>
    private const int MaxKeyspaceNameBytes = 255;

    /// <summary>The most bytes of a document a load prefetches before decoding it: a small document whole.</summary>
    private const int PrefetchedValueBytes = 512;
    private readonly Keyspace[] _indexKeyspaces;
    private readonly DocumentCache<T>? _cache;

    /// <summary>The old index values of a write that replaces no document: all null, shared, never written.</summary>
    private readonly byte[]?[] _noIndexValues;

    /// <summary>
    /// Binds the collection to a database, creating its keyspaces if they do not exist and building indexes declared
    /// since its documents were stored. When everything is in place already, it only reads, so it also binds on a
    /// database that turned read-only.
    /// </summary>
    /// <remarks>
    /// The keyspaces are created (and indexes no longer declared deleted) in one commit, the indexes built in another.
    /// A build that is refused commits none of its entries: the indexes it was building stay unrecorded, and the next
    /// construction builds them again from the start.
    /// </remarks>
    /// <exception cref="PersistenceSerializationException">An index to build needs a stored document that this type
    /// cannot decode. The message names its key; a version of the collection that does not declare the new index opens
    /// and deletes it (<see cref="Delete"/>).</exception>
    /// <exception cref="UniqueConstraintException">A unique index to build: two live documents hold one of its values.</exception>
    protected Collection(Database database, DocumentSchema<T, TKey> schema)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(schema);
        Database = database;
        Schema = schema;
        _noIndexValues = new byte[]?[schema.Indexes.Count];
        ValidateName(schema.CollectionName);
        ValidateIndexNames(schema);
        ExpectedCollection.Check(GetType(), schema); // a registration's description, before anything is bound
        var options = database.Options.Collections.TryGetValue(schema.CollectionName, out var configured) ? configured : null;
        _defaultTimeToLive = options?.DefaultTimeToLive;
        Bound? bound;
        var read = database.BeginUntimedRead();
        try
        {
            bound = TryBindInPlace(read, schema, _defaultTimeToLive is not null, database.IsReadOnly);
        }
        finally
        {
            Database.EndUntimedRead(read);
        }

        // Most constructions find everything in place and write nothing; one that must create, record, build or delete
        // something does it in a write transaction (which a read-only database refuses).
        var started = database.TimeProvider.GetTimestamp();
        (Documents, _indexKeyspaces, _expiryIndex, _storedExpiry, var unbuilt, var buildExpiry, var moved) = bound is { } found
            ? (found.Documents, found.Indexes, found.Expiry, found.Stored, new List<int>(), false, (Moved?)null)
            : database.Write(tx =>
            {
                var documents = tx.GetOrCreateKeyspace(schema.CollectionName);
                var hasDocuments = tx.Count(documents) > 0;
                var definitionsName = IndexKeyspaceName(schema.CollectionName, DefinitionsName);
                var recordedBefore = tx.TryGetKeyspace(definitionsName, out var definitions);
                definitions ??= tx.CreateKeyspace(definitionsName);
                Moved? movedKeys = null;
                switch (KeyStateOf(tx, schema, definitions, documents))
                {
                    case KeyState.Earlier:
                        movedKeys = MoveKeys(tx, documents, definitions, recordedBefore); // records the declared encoding
                        break;
                    case KeyState.Unrecorded:
                        tx.Put(definitions, KeyRecord, KeyDefinitionOf(schema));
                        break;
                }

                var (indexes, unbuilt) = OpenIndexes(tx, schema, definitions, recordedBefore, hasDocuments);

                // Stored expiries stay in force once written: a collection opened without the default lifetime it had
                // still honours (and collects) the expiries its documents got; its new writes just get none by default.
                var storedName = IndexKeyspaceName(schema.CollectionName, StoredExpiryName);
                var hadStored = tx.TryGetKeyspace(storedName, out var stored);
                if (!hadStored && _defaultTimeToLive is not null)
                {
                    stored = tx.CreateKeyspace(storedName);
                }

                var (expiry, buildExpiry) = OpenExpiry(tx, schema, definitions, hasDocuments, schema.HasExpiresAt || stored is not null, hadStored);
                return (documents, indexes, expiry, stored, unbuilt, buildExpiry, movedKeys);
            });

        // A move reads and writes again every document, which a large collection takes a while to do: say so once committed.
        if (moved is { Documents: > 0 } done)
        {
            Diagnostics.Log.KeysMoved(database.Logger, done.Documents, Name, database.Path ?? ":memory:", KeyEncodingOf(schema), done.Entries,
                (long)database.TimeProvider.GetElapsedTime(started).TotalMilliseconds);
        }

        // Entries for documents stored before an index (or the expiry index) was declared, without which queries by it
        // would miss them.
        BuildIndexes(unbuilt, buildExpiry);
        var expires = _expiryIndex is not null;
        if (options?.SlidingExpiration == true)
        {
            _accesses = database.Ttl.Accesses(Documents); // shared with every other instance of the collection
        }

        if (options is { HotCacheMaxCount: > 0 } or { HotCacheMaxBytes: > 0 })
        {
            _cache = database.HotCache<T>(Documents, options); // shared with every other instance of the collection
        }

        if (expires)
        {
            database.Ttl.Register(this);
        }
    }

    /// <summary>The database the collection lives in.</summary>
    public Database Database { get; }

    /// <summary>The collection name.</summary>
    public string Name => Schema.CollectionName;

    /// <summary>The generated schema (for generated code; hidden from IntelliSense).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected internal DocumentSchema<T, TKey> Schema { get; }

    internal Keyspace Documents { get; }

    internal static string IndexKeyspaceName(string collection, string index) => CollectionKeyspaces.NameOf(collection, index);

    internal Keyspace IndexKeyspace(int index) => _indexKeyspaces[index];

    /// <summary>Encodes a primary key.</summary>
    [SkipLocalsInit] // the key buffer is written before it is read
    internal byte[] EncodeKey(TKey key)
    {
        var writer = new KeyWriter(stackalloc byte[KeyBufferSize]);
        try
        {
            Schema.WriteKey(ref writer, key);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Encodes an index entry's value part for a document; null when the document has no entry in that index.</summary>
    [SkipLocalsInit] // the key buffer is written before it is read
    internal byte[]? EncodeIndexValue(int index, T document)
    {
        var writer = new KeyWriter(stackalloc byte[KeyBufferSize]);
        try
        {
            return Schema.Indexes[index].WriteKey(ref writer, document) ? writer.ToArray() : null;
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>The primary-key bytes at the end of a non-unique index entry key.</summary>
    internal ReadOnlySpan<byte> PrimaryKeyOfEntry(int index, ReadOnlySpan<byte> entryKey)
    {
        var reader = new KeyReader(entryKey);
        Schema.Indexes[index].SkipKey(ref reader);
        return entryKey[reader.Position..];
    }

    /// <summary>
    /// The primary key an index entry refers to (a unique entry's value, the end of any other's key), with the indexed
    /// value the entry holds in <paramref name="indexed"/>: what <see cref="EncodeIndexValue"/> writes for its document.
    /// </summary>
    internal ReadOnlySpan<byte> PrimaryKeyOfEntry(int index, ReadOnlySpan<byte> entryKey, ReadOnlySpan<byte> entryValue, out ReadOnlySpan<byte> indexed)
    {
        if (Schema.Indexes[index].Unique)
        {
            indexed = entryKey;
            return entryValue;
        }

        var key = PrimaryKeyOfEntry(index, entryKey);
        indexed = entryKey[..^key.Length];
        return key;
    }

    /// <summary>Materializes the document stored as <paramref name="bytes"/> under the encoded primary key <paramref name="key"/>.</summary>
    internal T Decode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        var document = Schema.Deserialize(ref reader, key);
        return reader.End ? document : throw TrailingBytes(key, bytes.Length - reader.Position);
    }

    /// <summary>A stored document is one MessagePack value: bytes after it mean the document is not what was written.</summary>
    private PersistenceSerializationException TrailingBytes(ReadOnlySpan<byte> key, int count) =>
        new($"The document stored under the key {Convert.ToHexString(key)} in '{Name}' has {count} byte(s) after its end: it is damaged or was not written by a serializer of this type.");

    /// <summary>Serializes a document into the thread's document buffer: its bytes stay until the thread's next encoding.</summary>
    internal ReadOnlySpan<byte> Encode(T document)
    {
        using var held = DocumentBuffer.Hold(); // held while the serializer runs: a getter it reads may write a document
        return Encode(document, held.Buffer);
    }

    /// <summary>Serializes a document into <paramref name="buffer"/>, one the caller holds (<see cref="DocumentBuffer.Hold"/>).</summary>
    private ReadOnlySpan<byte> Encode(T document, ArrayBufferWriter<byte> buffer)
    {
        var writer = new MessagePackWriter(buffer);
        Schema.Serialize(ref writer, document);
        writer.Flush();
        return buffer.WrittenSpan;
    }

    /// <summary>The live document stored under encoded key <paramref name="key"/>, or null (absent or expired).</summary>
    internal T? Load(Transaction transaction, ReadOnlySpan<byte> key, bool isRead = true)
    {
        using var use = transaction.Use(); // the value is decoded in place, before another thread's write could move it
        var useCache = _cache is not null && transaction is ReadTransaction;
        if (useCache)
        {
            // A hit reads nothing from the transaction: refuse what a read from the store refuses (a disposed
            // transaction, one of another database, a snapshot without the collection) before the cache is consulted.
            _ = transaction.RootOf(Documents);
        }

        if (!useCache || !_cache!.TryGet(key, transaction.SnapshotVersion, out var document, out _))
        {
            if (!transaction.TryGet(Documents, key, out var value))
            {
                return null;
            }

            Prefetch.Lines(value[..Math.Min(value.Length, PrefetchedValueBytes)]); // the decoder reads it front to back: ask for those lines at once

            document = Decode(key, value);
            if (useCache)
            {
                _cache!.Fill(key, transaction.SnapshotVersion, document, value.Length);
            }
        }

        return IsLive(transaction, key, document, isRead) ? document : null;
    }

    /// <summary>Hot-cache hits and misses (zero without a hot cache).</summary>
    internal (long Hits, long Misses) CacheCounters => _cache is { } cache ? (cache.Hits, cache.Misses) : (0, 0);

    /// <summary>
    /// Refuses, before anything is created, an index whose keyspace (<c>collection#Index</c>) would be over the 255
    /// UTF-8 bytes of a keyspace name. The collection's other keyspaces (<c>#$indexes</c>, <c>#$expiry</c>, the scratch
    /// keyspaces of a repair or a key move, named after an index's position) fit whenever its name is valid.
    /// </summary>
    private static void ValidateIndexNames(DocumentSchema<T, TKey> schema)
    {
        foreach (var index in schema.Indexes)
        {
            var keyspace = IndexKeyspaceName(schema.CollectionName, index.Name);
            var bytes = System.Text.Encoding.UTF8.GetByteCount(keyspace);
            if (bytes > MaxKeyspaceNameBytes)
            {
                throw new KeyspaceException(ErrorCode.InvalidKeyspaceName,
                    $"Index '{index.Name}' of collection '{schema.CollectionName}' cannot be stored: its keyspace name, the collection's name, '#' and the index's name, "
                    + $"would take {bytes} UTF-8 bytes, over the {MaxKeyspaceNameBytes} a keyspace name may take. Shorten the collection's or the index's name "
                    + $"(together at most {MaxKeyspaceNameBytes - 1} bytes).", schema.CollectionName);
            }
        }
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 200 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            throw new KeyspaceException(ErrorCode.InvalidKeyspaceName,
                $"'{name}' is not a valid collection name: use 1 to 200 letters, digits, '_', '-' or '.'.", name);
        }
    }
}
