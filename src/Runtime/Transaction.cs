using System.Diagnostics.CodeAnalysis;
using Persistence.BTree;
using Persistence.Transactions;

namespace Persistence;

/// <summary>
/// A consistent snapshot of the database: every read sees the state of one commit, whatever commits later. A
/// transaction is not bound to a thread (it may be used across <c>await</c>), but a write transaction must not be used
/// by two threads at once: a call that overlaps another thread's throws <see cref="TransactionStateException"/>
/// (<see cref="ErrorCode.TransactionInUse"/>) and fails the transaction, so that nothing of it commits. A read
/// transaction may be read by several threads at once. Dispose it, once its reads have ended, to release its snapshot.
/// </summary>
public abstract partial class Transaction : IDisposable
{
    private protected const int Active = 0;
    private protected const int Completed = 1;
    private protected const int Disposed = 2;

    /// <summary>A write failed part-way (write transactions only): only rollback and disposal remain.</summary>
    private protected const int Failed = 3;
    private protected int _state;
    private protected Exception? _failure;
    private protected DateTimeOffset? _snapshotTime;

    private protected Transaction(Database database, DbVersion snapshot, bool timed = true)
    {
        Database = database;
        Snapshot = snapshot;
        _guarded = this is WriteTransaction;
        if (timed)
        {
            _snapshotTime = database.SnapshotClock();
        }
    }

    // Only a transaction the library opens for one call of its own (Database.BeginUntimedRead) starts without its
    // time, and reads it at its first expiry check, before that call returns. Such a transaction is that call's alone:
    // the check and the store cannot race. (Several threads may read one read transaction at once, but a caller's
    // transaction is timed from its start, so they never store the time.)
    /// <summary>
    /// The time the snapshot was taken, from the database's <see cref="TimeProvider"/>: documents whose expiry is at
    /// or before it are invisible to this transaction. It never goes backwards across transactions, even if the wall
    /// clock does, so an expired document cannot reappear.
    /// </summary>
    public DateTimeOffset SnapshotTime => _snapshotTime ??= Database.SnapshotClock();

    /// <summary>The database this transaction reads.</summary>
    public Database Database { get; private protected set; }

    /// <summary>The number of the commit this transaction's snapshot shows.</summary>
    public long SnapshotVersion => Snapshot.Number;

    internal DbVersion Snapshot { get; private protected set; }

    internal INodeSource Source => Database.Source;

    internal abstract Catalog CurrentCatalog { get; }

    /// <summary>The keyspace named <paramref name="name"/>; throws <see cref="KeyspaceException"/> when it does not exist.</summary>
    public Keyspace GetKeyspace(string name)
    {
        if (TryGetKeyspace(name, out var keyspace))
        {
            return keyspace;
        }

        throw new KeyspaceException(ErrorCode.KeyspaceNotFound, $"The keyspace '{name}' does not exist in this transaction's snapshot.", name);
    }

    /// <summary>Finds the keyspace named <paramref name="name"/>.</summary>
    public bool TryGetKeyspace(string name, [NotNullWhen(true)] out Keyspace? keyspace)
    {
        ArgumentNullException.ThrowIfNull(name);
        using var use = Use();
        ThrowIfNotActive();
        if (CurrentCatalog.TryGet(name, out var found))
        {
            keyspace = found;
            return true;
        }

        keyspace = null;
        return false;
    }

    /// <summary>Every keyspace, ordered by name.</summary>
    public IReadOnlyList<Keyspace> GetKeyspaces()
    {
        using var use = Use();
        ThrowIfNotActive();
        return [.. CurrentCatalog.Keyspaces];
    }

    /// <summary>
    /// Looks up <paramref name="key"/>. The value span points into the page and is valid until the next write in this
    /// transaction (it may be given to that write: a put or delete copies what it is given before it changes a page),
    /// and never after the transaction ends: the page's memory is then reused. Copy it (<see cref="Get"/>) to keep it.
    /// </summary>
    public bool TryGet(Keyspace keyspace, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        using var use = Use();
        return Lookup(keyspace, RootFor(keyspace, key), key, out value);
    }

    /// <summary>A copy of the value of <paramref name="key"/>, or null when the key is absent.</summary>
    public byte[]? Get(Keyspace keyspace, ReadOnlySpan<byte> key)
    {
        using var use = Use(); // the copy too: another thread's write could change the page under the span
        return TryGet(keyspace, key, out var value) ? value.ToArray() : null;
    }

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool ContainsKey(Keyspace keyspace, ReadOnlySpan<byte> key) => TryGet(keyspace, key, out _);

    /// <summary>The number of keys in the keyspace (constant time).</summary>
    public long Count(Keyspace keyspace)
    {
        using var use = Use();
        return CountOf(keyspace, RootOf(keyspace));
    }

    /// <summary>
    /// An estimate of the keys in <paramref name="range"/> of the keyspace, from two descents of the tree this transaction
    /// reads (<see cref="TreeReader.EstimateRange"/>); null when that tree is empty, so there is nothing to descend. A
    /// write transaction's writes still held in its overlay are not counted: the query planner ranks paths by it, and the
    /// overlay's writes are few (see <see cref="Query.QueryPlanner.EstimateEntries"/>).
    /// </summary>
    internal double? EstimateKeys(Keyspace keyspace, KeyRange range)
    {
        using var use = Use();
        var tree = RootOf(keyspace);
        return tree.Root is null ? null : TreeReader.EstimateRange(tree, range, Source, WriterToken);
    }

    /// <summary>Opens a cursor over <paramref name="range"/> of the keyspace. It is not positioned until a seek.</summary>
    public Cursor OpenCursor(Keyspace keyspace, KeyRange range = default)
    {
        using var use = Use();
        RootOf(keyspace);
        return new Cursor(this, keyspace, range);
    }

    /// <summary>Enumerates copies of the keys and values in <paramref name="range"/>, forwards or backwards.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(Keyspace keyspace, KeyRange range = default, bool reverse = false)
    {
        using var cursor = OpenCursor(keyspace, range);
        for (var ok = reverse ? cursor.Last() : cursor.First(); ok; ok = reverse ? cursor.Previous() : cursor.Next())
        {
            yield return cursor.Copy();
        }
    }

    /// <summary>
    /// Ends the transaction and releases its snapshot. A write transaction that was not committed is rolled back. Never
    /// refused: if another thread is inside a call of a write transaction, it waits for that call to end.
    /// </summary>
    public void Dispose()
    {
        // Atomically, so that two racing calls (a misuse) cannot release the snapshot twice: an unbalanced unpin would let
        // pages still being read be recycled.
        var previous = Interlocked.Exchange(ref _state, Disposed);
        if (previous == Disposed)
        {
            return;
        }

        // Not under a call another thread has inside (its snapshot and private tree would go from under it): that call
        // stops at its next step, as the transaction is disposed now.
        using (UseWhenFree())
        {
            OnDispose(previous == Active);
        }

        GC.SuppressFinalize(this);
    }

    internal TreeRoot RootOf(Keyspace keyspace)
    {
        ArgumentNullException.ThrowIfNull(keyspace);
        ThrowIfNotActive();
        if (!ReferenceEquals(keyspace.Database, Database))
        {
            throw new KeyspaceException(ErrorCode.ForeignHandle, $"The keyspace handle '{keyspace.Name}' belongs to a different database.", keyspace.Name);
        }

        if (!CurrentCatalog.Contains(keyspace))
        {
            throw new KeyspaceException(ErrorCode.KeyspaceNotFound, $"The keyspace '{keyspace.Name}' does not exist in this transaction's snapshot (it was deleted, or created after the snapshot).", keyspace.Name);
        }

        return CurrentRoot(keyspace.Id);
    }

    internal abstract TreeRoot CurrentRoot(int keyspaceId);

    /// <summary>The token of the nodes this transaction may change in place (null: a read transaction changes none).</summary>
    private protected virtual object? WriterToken => null;

    /// <summary>A cursor over the keyspace as this transaction sees it (not yet positioned).</summary>
    internal virtual IKeyCursor OpenKeyCursor(Keyspace keyspace)
    {
        var cursor = new TreeCursor(Source, WriterToken);
        cursor.Reset(CurrentRoot(keyspace.Id).Root);
        return cursor;
    }

    private protected virtual bool Lookup(Keyspace keyspace, TreeRoot root, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        if (TreeReader.TryFind(root.Root, key, Source, WriterToken, out var leaf, out var slot))
        {
            value = TreeReader.Value(leaf, slot, Source);
            return true;
        }

        value = default;
        return false;
    }

    private protected virtual long CountOf(Keyspace keyspace, TreeRoot root) => root.Count;

    internal void ThrowIfNotActive()
    {
        var state = _state; // once: a refused thread may fail the transaction meanwhile
        if (state != Active)
        {
            if (state == Failed)
            {
                Database.ThrowIfDisposed(); // the write that failed may have been cut short by the disposal itself
            }

            throw state switch
            {
                Failed when _failure is TransactionStateException { Code: ErrorCode.TransactionInUse } => new TransactionStateException(
                    ErrorCode.TransactionFailed,
                    "This transaction was used by two threads at once, which a transaction must not be; it can only be rolled "
                    + "back or disposed. Nothing it wrote was committed.",
                    _failure),
                Failed => new TransactionStateException(
                    ErrorCode.TransactionFailed,
                    $"A write in this transaction failed part-way ({_failure?.Message}); it can only be rolled back or disposed. Nothing it wrote was committed.",
                    _failure),
                Completed => new TransactionStateException(ErrorCode.TransactionCompleted, "The transaction was already committed or rolled back."),
                _ => new TransactionStateException(ErrorCode.TransactionCompleted, "The transaction was disposed."),
            };
        }

        Database.ThrowIfDisposed();
    }

    private protected abstract void OnDispose(bool wasActive);

    private TreeRoot RootFor(Keyspace keyspace, ReadOnlySpan<byte> key)
    {
        var root = RootOf(keyspace);
        Database.ValidateKey(key);
        return root;
    }
}
