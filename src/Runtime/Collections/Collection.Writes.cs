namespace Persistence.Collections;

public abstract partial class Collection<T, TKey>
{
    private enum WriteMode
    {
        Insert,
        Upsert,
        Update,
    }

    /// <summary>Inserts a document; throws <see cref="DocumentException"/> (<see cref="ErrorCode.DuplicateKey"/>) when its key exists.</summary>
    /// <remarks>
    /// A document stored under the key that this type cannot decode is there too, and refused the same way, nothing
    /// written: without expiry the stored version is not read at all; with expiry, one that cannot be decoded counts
    /// as live, since when it expires is unknown. <see cref="Delete"/> removes it.
    /// </remarks>
    /// <exception cref="UniqueConstraintException">A unique index already holds one of its values.</exception>
    public void Insert(T document, WriteTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        _ = transaction is not null ? Write(transaction, document, WriteMode.Insert) : WriteInOwn(document, WriteMode.Insert);
    }

    /// <summary>
    /// Inserts documents in one transaction. Without <paramref name="transaction"/>, all or none. In the caller's
    /// transaction, a failure leaves the documents before the failing one written in it (each with its index entries):
    /// roll the transaction back to discard them.
    /// </summary>
    /// <remarks>
    /// A lazy sequence is read one document at a time, each written before the next is read. A collection (an
    /// <see cref="ICollection{T}"/> or <see cref="IReadOnlyCollection{T}"/>) of 256 documents or more is read up to a
    /// chunk ahead of the writes: its enumeration should not depend on what the transaction holds, nor hand over one
    /// object refilled for several documents.
    /// <para>
    /// The sequence is read once. Without <paramref name="transaction"/>, an array or list is written in a write that is
    /// retried after a write conflict, as <see cref="Database.Write{T}(Func{WriteTransaction, T}, RetryPolicy?, Durability?)"/>
    /// does; another collection is copied first (its enumeration may be lazy), then written so. A lazy sequence (a
    /// query, a queue or channel being drained, a reader over a file) cannot be read again, so it is written in one
    /// attempt: a write conflict is thrown as <see cref="WriteConflictException"/>, nothing written, for the caller to
    /// retry with the sequence read again (or pass a list to have it retried). Its documents are not kept beyond the
    /// write of each, so a long lazy sequence costs no more memory than its transaction.
    /// </para>
    /// </remarks>
    public void InsertMany(IEnumerable<T> documents, WriteTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (transaction is not null)
        {
            InsertAll(transaction, documents); // not in Run: the sequence is read outside the transaction's guard
            return;
        }

        if (Replayable(documents) is { } replayable)
        {
            Database.Write(tx =>
            {
                InsertAll(tx, replayable);
                return true;
            });
            return;
        }

        using var own = Database.BeginWrite();
        InsertAll(own, documents);
        own.Commit();
    }

    /// <summary>
    /// The documents of an <c>InsertMany</c> in its own write as a sequence that reads the same documents again when a
    /// write conflict runs the write again: an array or list as it is, another collection copied once (its enumeration
    /// may be lazy; the copy keeps its count, which lets the insert take it in chunks). Null for a lazy sequence, which
    /// is read once and so written in one attempt.
    /// </summary>
    private static IEnumerable<T>? Replayable(IEnumerable<T> documents) => documents switch
    {
        T[] or List<T> => documents,
        ICollection<T> or IReadOnlyCollection<T> => documents.ToArray(),
        _ => null,
    };

    /// <summary>Inserts the document, or replaces the one with the same key. Returns true when it was inserted.</summary>
    /// <exception cref="PersistenceSerializationException">The stored document with the same key cannot be decoded (in a
    /// collection with indexes or expiry, whose replaced entries are found from its values); nothing is written. The
    /// message names the key: <see cref="Delete"/> removes that document with its entries, and the write can follow.</exception>
    public bool Upsert(T document, WriteTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        return transaction is not null ? Write(transaction, document, WriteMode.Upsert) : WriteInOwn(document, WriteMode.Upsert);
    }

    /// <summary>Replaces the document with the same key; throws <see cref="DocumentException"/> (<see cref="ErrorCode.DocumentNotFound"/>) when there is none.</summary>
    /// <exception cref="PersistenceSerializationException">The stored document cannot be decoded, as for
    /// <see cref="Upsert"/>; nothing is written.</exception>
    public void Update(T document, WriteTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        _ = transaction is not null ? Write(transaction, document, WriteMode.Update) : WriteInOwn(document, WriteMode.Update);
    }

    /// <summary>Deletes the document with primary key <paramref name="key"/> and its index entries. Returns false when there was none.</summary>
    /// <remarks>
    /// A stored document that this type cannot decode (an incompatible change of a member's type, bytes past its end
    /// written by a faulty version), which every read and every replacing write refuses with
    /// <see cref="PersistenceSerializationException"/>, is deleted too, with every index and expiry entry naming it:
    /// its values are unknown, so each index of the collection is read whole to find them (time in the number of
    /// entries, not a lookup), and the deletion is logged as a warning (event 18). The call returns true for it.
    /// <see cref="CheckConsistency"/> lists such documents.
    /// </remarks>
    public bool Delete(TKey key, WriteTransaction? transaction = null)
    {
        var encoded = EncodeKey(ThrowIfNull(key));
        return Run(transaction, tx => DeleteEncoded(tx, encoded));
    }

    /// <summary>
    /// Deletes by encoded primary key (used by set-based deletes). The key is an array of the caller's, not a span: it
    /// is used again after the first delete, which may change the pages a span read in this transaction points into.
    /// A document that cannot be decoded is deleted with the entries naming it, found by reading each index whole; a
    /// caller deleting many passes <paramref name="undecodable"/>, where such documents wait for one read of the indexes
    /// for all of them (<see cref="DeleteUndecodable"/>), which the caller runs before it commits.
    /// </summary>
    internal bool DeleteEncoded(WriteTransaction transaction, byte[] key, List<(byte[] Key, PersistenceSerializationException Failure)>? undecodable = null)
    {
        using var use = transaction.Use(); // the document, its entries and its expiry go as one operation
        if (!transaction.TryGet(Documents, key, out var existing))
        {
            return false;
        }

        T old;
        try
        {
            old = Decode(key, existing);
        }
        catch (PersistenceSerializationException failure)
        {
            if (undecodable is not null)
            {
                undecodable.Add((key, failure));
            }
            else
            {
                DeleteUndecodable(transaction, [(key, failure)]); // its entries are found by reading each index whole
            }

            return true; // whether it had expired is unknown: it was there
        }

        var live = IsLive(transaction, key, old, isRead: false);
        SetExpiry(transaction, key, ExpiryOf(transaction, key, old), null);
        for (var i = 0; i < Schema.Indexes.Count; i++)
        {
            if (EncodeIndexValue(i, old) is { } value)
            {
                transaction.Delete(IndexKeyspace(i), EntryKey(i, value, key));
            }
        }

        transaction.Delete(Documents, key);
        return live; // an expired document was already invisible: deleting it cleans up, but "was there none" holds
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the caller's transaction, as one use of it (its in-use guard held throughout), or
    /// in a transaction of its own.
    /// </summary>
    internal TResult Run<TResult>(WriteTransaction? transaction, Func<WriteTransaction, TResult> work)
    {
        if (transaction is null)
        {
            return Database.Write(work);
        }

        using var use = transaction.Use();
        return work(transaction);
    }

    /// <summary>
    /// A write in a transaction of its own (retried on conflict). Apart from the callers, so that a write in the
    /// caller's transaction allocates no closure: C# creates a lambda's captured state where its scope begins.
    /// </summary>
    private bool WriteInOwn(T document, WriteMode mode) => Database.Write(tx => Write(tx, document, mode));

    /// <summary>
    /// Writes a document and maintains its index entries: only entries whose value changed are touched. A refused write
    /// (duplicate key, missing document, unique value taken, a key or document too large, a serializer that throws)
    /// leaves the transaction's contents exactly as they were: everything but the key and unique checks is decided
    /// before the first write, and what those checks put in a large transaction is taken back.
    /// </summary>
    /// <remarks>
    /// The whole write is one use of the transaction (its in-use guard held from the first read to the last entry), so
    /// that another thread can neither change the transaction between its checks and its writes nor see it half done.
    /// </remarks>
    private bool Write(WriteTransaction transaction, T document, WriteMode mode, bool lookUpFirst = false)
    {
        using var use = transaction.Use();
        var key = EncodeKey(Schema.GetKey(document));
        _cache?.Release(key, document); // a hot-cache instance changed by its caller: no reader gets it again
        T? old = null;
        var visible = false;
        var remembered = Remembered(transaction, key);

        // An insert in a large transaction checks that the key is free when it puts the document, in the same descent
        // (TryAdd), instead of looking it up first. In a collection with expiry a document found may have expired: the
        // insert then starts again, looking it up first.
        var addOnly = mode == WriteMode.Insert && !lookUpFirst && !transaction.UsesOverlay;
        if (remembered is not null)
        {
            visible = true; // read by Get in this transaction, unchanged since (and without expiry, live)
        }
        else if (!addOnly && transaction.TryGet(Documents, key, out var existing))
        {
            // An insert reads the stored version only to know whether it expired, and refuses one it cannot decode
            // (whether it expired is then unknown, and it is there) as any other existing key: its values are not needed.
            // Without expiry or indexes, nothing of the stored version matters to a replacing write but that it exists.
            old = mode == WriteMode.Insert ? (HasExpiry ? TryDecode(key, existing) : null) ?? throw DuplicateKey(document)
                : HasExpiry || Schema.Indexes.Count > 0
                ? DecodeStored(key, existing, "it cannot be replaced (the entries of a replaced version are found from its values)")
                : null;
            visible = old is null || IsLive(transaction, key, old, isRead: false); // an expired document is replaced as if absent
        }

        if (visible)
        {
            if (mode == WriteMode.Insert)
            {
                throw DuplicateKey(document);
            }
        }
        else if (mode == WriteMode.Update)
        {
            throw new DocumentException(ErrorCode.DocumentNotFound, Name,
                $"No document with the key {Describe(Schema.GetKey(document))} exists in '{Name}'. Use Insert or Upsert to add it.");
        }

        var count = Schema.Indexes.Count;
        var newValues = new byte[]?[count];
        var oldValues = remembered ?? (old is null ? _noIndexValues : new byte[]?[count]); // the shared one is never written
        for (var i = 0; i < count; i++)
        {
            // Every index value is computed (the document's getters run) before the first write, so that a getter
            // that throws leaves the transaction as it was.
            newValues[i] = EncodeIndexValue(i, document);
            if (remembered is null && old is not null)
            {
                oldValues[i] = EncodeIndexValue(i, old);
            }
        }

        // Everything else that can refuse the write is decided before its first write too: the document's encoding (its
        // serializer may throw) and size, and the lengths of the entries it will put. The encoding stays in the thread's
        // document buffer, held until the put: user code runs in between (the expiry getter, the decoding of documents
        // holding its key or unique values, their getters), and a write it runs on this thread encodes into another.
        using var held = DocumentBuffer.Hold();
        var encoded = Encode(document, held.Buffer);
        Database.ValidateValue(encoded);
        for (var i = 0; i < count; i++)
        {
            if (newValues[i] is { } value && !SameBytes(value, oldValues[i]))
            {
                Database.ValidateKeyLength(Schema.Indexes[i].Unique ? value.Length : value.Length + key.Length);
            }
        }

        if (HasExpiry)
        {
            Database.ValidateKeyLength(sizeof(long) + key.Length); // an expiry entry: the instant, then the key
        }

        // Unique entries a check already put (in the same descent as the check).
        Span<bool> added = count <= MaxStackIndexes ? stackalloc bool[count] : new bool[count];
        List<byte[]>? freed = null; // expired documents holding a unique value: deleted once every check has passed
        var lookUp = false; // the insert found a document under its key (in a collection with expiry)
        var documentAdded = false;
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (!Schema.Indexes[i].Unique || newValues[i] is not { } value || SameBytes(value, oldValues[i]))
                {
                    continue;
                }

                // A large transaction checks and puts in one descent of its private tree; a small one only checks, so
                // that a refused write leaves nothing at all in its pending writes.
                ReadOnlySpan<byte> ownerBytes;
                if (transaction.UsesOverlay ? !transaction.TryGet(IndexKeyspace(i), value, out ownerBytes)
                    : added[i] = transaction.TryAdd(IndexKeyspace(i), value, key, out ownerBytes))
                {
                    continue;
                }

                if (ownerBytes.SequenceEqual(key))
                {
                    continue;
                }

                // The value belongs to an expired document: it is free. One this type cannot decode keeps it, as it
                // keeps its key: when it expires is unknown.
                var owner = ownerBytes.ToArray();
                if (HasExpiry && !Occupied(transaction, owner))
                {
                    (freed ??= []).Add(owner);
                    continue;
                }

                throw new UniqueConstraintException(Name, Schema.Indexes[i].Name,
                    $"The unique index '{Schema.Indexes[i].Name}' of '{Name}' already holds this value (for another document); nothing was written.");
            }

            if (addOnly)
            {
                if (!transaction.TryAdd(Documents, key, encoded, out _))
                {
                    if (!HasExpiry)
                    {
                        throw DuplicateKey(document); // any stored document is live
                    }

                    RemoveAdded(transaction, added, newValues);
                    lookUp = true;
                }

                documentAdded = !lookUp;
            }

            if (!lookUp)
            {
                foreach (var owner in freed ?? [])
                {
                    DeleteEncoded(transaction, owner);
                }

                if (HasExpiry)
                {
                    SetExpiry(transaction, key, old is null ? null : ExpiryOf(transaction, key, old), NewExpiry(document, transaction.SnapshotTime));
                }

                if (!addOnly)
                {
                    transaction.Put(Documents, key, encoded);
                }
            }
        }
        catch (Exception refusal) when (transaction.IsActive)
        {
            // Refused (a unique value taken, a duplicate key): the entries the checks put go, and so does the document
            // an insert put. An insert that did not look its key up first reports a live document under its key before
            // anything else.
            RemoveAdded(transaction, added, newValues);
            if (documentAdded)
            {
                transaction.Delete(Documents, key);
            }

            if (addOnly && refusal is not DocumentException { Code: ErrorCode.DuplicateKey }
                && Occupied(transaction, key))
            {
                throw DuplicateKey(document);
            }

            throw;
        }

        if (lookUp)
        {
            return Write(transaction, document, mode, lookUpFirst: true); // nothing of this attempt is left
        }

        for (var i = 0; i < count; i++)
        {
            if (SameBytes(newValues[i], oldValues[i]))
            {
                continue;
            }

            if (oldValues[i] is { } previous)
            {
                transaction.Delete(IndexKeyspace(i), EntryKey(i, previous, key));
            }

            if (newValues[i] is { } current && !added[i])
            {
                transaction.Put(IndexKeyspace(i), EntryKey(i, current, key), Schema.Indexes[i].Unique ? key : []);
            }
        }

        return !visible;
    }

    private const int MaxStackIndexes = 32;

    /// <summary>
    /// True when the document stored under <paramref name="key"/> holds its key and unique values against a write: an
    /// insert of the key is refused as a duplicate, another document's write of one of its unique values as taken. It
    /// does when it is live (any, without expiry) or cannot be decoded, its expiry then unknown; an expired one is
    /// replaced or deleted as if absent.
    /// </summary>
    private bool Occupied(WriteTransaction transaction, ReadOnlySpan<byte> key)
    {
        if (!transaction.TryGet(Documents, key, out var stored))
        {
            return false;
        }

        return !HasExpiry || TryDecode(key, stored) is not { } document || IsLive(transaction, key, document, isRead: false);
    }

    private DocumentException DuplicateKey(T document) => new(ErrorCode.DuplicateKey, Name,
        $"A document with the key {Describe(Schema.GetKey(document))} already exists in '{Name}'. Use Upsert or Update to replace it.");

    /// <summary>Takes back the unique entries a refused write's checks put (<see cref="WriteTransaction.TryAdd"/>).</summary>
    private void RemoveAdded(WriteTransaction transaction, Span<bool> added, byte[]?[] values)
    {
        for (var i = 0; i < added.Length; i++)
        {
            if (added[i])
            {
                transaction.Delete(IndexKeyspace(i), values[i]);
                added[i] = false;
            }
        }
    }

    /// <summary>
    /// <see cref="Load"/> for <c>Get</c> in a write transaction, which is usually followed by an update of the same
    /// document: the stored document's index values are remembered in the transaction (<see cref="ReadMemo"/>), and
    /// the update uses them instead of reading and decoding the stored version again. Collections with expiry decode
    /// it anyway (the update needs its expiry), so they remember nothing.
    /// </summary>
    private T? LoadForUpdate(WriteTransaction transaction, ReadOnlySpan<byte> key)
    {
        using var use = transaction.Use(); // the memo must describe the document this read returns
        var document = Load(transaction, key);
        if (document is not null && !HasExpiry && Schema.Indexes.Count > 0)
        {
            var values = new byte[]?[Schema.Indexes.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = EncodeIndexValue(i, document);
            }

            transaction.ReadMemo = new ReadMemo(this, key.ToArray(), transaction.ModCount, values);
        }

        return document;
    }

    /// <summary>The remembered index values of the document stored under <paramref name="key"/>, when still valid.</summary>
    private byte[]?[]? Remembered(WriteTransaction transaction, byte[] key) =>
        transaction.ReadMemo is ReadMemo memo && ReferenceEquals(memo.Collection, this) && memo.ModCount == transaction.ModCount
            && memo.Key.AsSpan().SequenceEqual(key)
            ? memo.IndexValues
            : null;

    /// <summary>
    /// The index values of a document as it was stored when <c>Get</c> returned it, valid while the transaction has
    /// written nothing since (<see cref="WriteTransaction.ModCount"/>): the returned object may have been changed since.
    /// </summary>
    private sealed record ReadMemo(object Collection, byte[] Key, long ModCount, byte[]?[] IndexValues);

    /// <summary>The entry key of a document in an index: the value for a unique index, the value and the primary key otherwise.</summary>
    private byte[] EntryKey(int index, byte[] value, ReadOnlySpan<byte> key)
    {
        if (Schema.Indexes[index].Unique)
        {
            return value;
        }

        var entry = new byte[value.Length + key.Length];
        value.CopyTo(entry, 0);
        key.CopyTo(entry.AsSpan(value.Length));
        return entry;
    }

    private static bool SameBytes(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}
