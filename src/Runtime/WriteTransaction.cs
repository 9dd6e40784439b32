using Persistence.BTree;
using Persistence.Transactions;
using Persistence.Wal;

namespace Persistence;

/// <summary>
/// A snapshot plus private writes. Several write transactions may be open at once; each reads its snapshot and its
/// own writes. <see cref="Commit"/> applies the writes atomically unless another transaction committed a write to one
/// of the same keys after this snapshot was taken (first committer wins), in which case it throws
/// <see cref="WriteConflictException"/> and applies nothing. Disposing without committing rolls back.
/// </summary>
public sealed class WriteTransaction : Transaction
{
    private readonly object _owner = new();
    private TreeRoot[] _roots;
    private Catalog _catalog;
    private TreeWriter? _writer;
    private TxLog? _log;
    private bool _released;

    internal WriteTransaction(Database database, DbVersion snapshot, Durability durability)
        : base(database, snapshot)
    {
        _roots = snapshot.Roots;
        _catalog = snapshot.Catalog;
        Durability = durability;
    }

    /// <summary>When this transaction's commit is acknowledged.</summary>
    public Durability Durability { get; }

    /// <summary>True when the transaction has written something.</summary>
    public bool HasWrites => _log is { IsEmpty: false };

    internal long ModCount { get; private set; }

    internal TreeRoot[] Roots => _roots;

    internal TxLog? Log => _log;

    internal FreedSet? Freed => _writer?.Freed;

    internal int NodesCreated => _writer?.NodesCreated ?? 0;

    internal override Catalog CurrentCatalog => _catalog;

    /// <summary>Creates a keyspace; throws <see cref="KeyspaceException"/> when one with that name exists.</summary>
    public Keyspace CreateKeyspace(string name)
    {
        Keyspace.ValidateName(name);
        ThrowIfNotActive();
        if (_catalog.TryGet(name, out _))
        {
            throw new KeyspaceException(ErrorCode.KeyspaceExists, $"The keyspace '{name}' already exists.", name);
        }

        var keyspace = new Keyspace(Database, Database.AllocateKeyspaceId(), name);
        PrepareWrite();
        _catalog = _catalog.With(keyspace);
        if (_roots.Length <= keyspace.Id)
        {
            Array.Resize(ref _roots, keyspace.Id + 1);
        }

        _log!.CreateKeyspace(keyspace.Id, name);
        ModCount++;
        return keyspace;
    }

    /// <summary>The keyspace named <paramref name="name"/>, created if it does not exist.</summary>
    public Keyspace GetOrCreateKeyspace(string name) => TryGetKeyspace(name, out var keyspace) ? keyspace : CreateKeyspace(name);

    /// <summary>Deletes a keyspace and everything in it.</summary>
    public void DeleteKeyspace(Keyspace keyspace)
    {
        var root = RootOf(keyspace);
        PrepareWrite();
        _writer!.FreeTree(root.Root);
        _roots[keyspace.Id] = TreeRoot.Empty;
        _catalog = _catalog.Without(keyspace);
        _log!.DropKeyspace(keyspace.Id);
        ModCount++;
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, inserting or replacing.</summary>
    public void Put(Keyspace keyspace, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        RootOf(keyspace);
        Database.ValidateKey(key);
        Database.ValidateValue(value);
        PrepareWrite();
        _writer!.Put(ref _roots[keyspace.Id], key, value);
        _log!.Put(keyspace.Id, key, value);
        ModCount++;
    }

    /// <summary>Removes <paramref name="key"/>; returns false when it was not present.</summary>
    public bool Delete(Keyspace keyspace, ReadOnlySpan<byte> key)
    {
        RootOf(keyspace);
        Database.ValidateKey(key);
        PrepareWrite();
        if (!_writer!.Delete(ref _roots[keyspace.Id], key))
        {
            return false;
        }

        _log!.Delete(keyspace.Id, key);
        ModCount++;
        return true;
    }

    /// <summary>
    /// Commits. Returns once the commit is acknowledged under <see cref="Durability"/>. Throws
    /// <see cref="WriteConflictException"/> (nothing applied) or <see cref="DatabaseReadOnlyException"/>.
    /// The transaction is complete afterwards either way.
    /// </summary>
    public void Commit()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!TryBeginCommit(out var request))
        {
            return;
        }

        try
        {
            if (request is not null)
            {
                Database.Wal!.Wait(request);
            }

            Database.Sequencer.CommitLatency.RecordSince(started);
        }
        finally
        {
            EndCommit();
        }
    }

    /// <inheritdoc cref="Commit"/>
    /// <remarks>Cancellation is honoured only before the commit is sequenced; after that the commit completes.</remarks>
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!TryBeginCommit(out var request))
        {
            return;
        }

        try
        {
            if (request is not null)
            {
                await Database.Wal!.WaitAsync(request).ConfigureAwait(false);
            }

            Database.Sequencer.CommitLatency.RecordSince(started);
        }
        finally
        {
            EndCommit();
        }
    }

    /// <summary>Discards the writes. The transaction is complete afterwards.</summary>
    public void Rollback()
    {
        ThrowIfNotActive();
        _state = Completed;
        Release();
    }

    internal override TreeRoot CurrentRoot(int keyspaceId) => (uint)keyspaceId < (uint)_roots.Length ? _roots[keyspaceId] : TreeRoot.Empty;

    private protected override void OnDispose(bool wasActive)
    {
        if (wasActive)
        {
            Release();
        }
    }

    /// <summary>Sequences the commit. False when there was nothing to write (the transaction is simply complete).</summary>
    private bool TryBeginCommit(out CommitRequest? request)
    {
        ThrowIfNotActive();
        _state = Completed;
        request = null;
        if (!HasWrites)
        {
            Release();
            return false;
        }

        if (!Database.EnterCommit())
        {
            Release();
            Database.ThrowIfDisposed();
        }

        try
        {
            request = Database.Sequencer.Commit(this);
            return true;
        }
        catch
        {
            EndCommit();
            throw;
        }
    }

    private void EndCommit()
    {
        Database.ExitCommit();
        Release();
    }

    /// <summary>Unregisters the writer and unpins its snapshot, exactly once.</summary>
    private void Release()
    {
        if (!_released)
        {
            _released = true;
            Database.Sequencer.EndWriter(this);
        }
    }

    private void PrepareWrite()
    {
        if (_writer is null)
        {
            Database.ThrowIfReadOnly();
            _roots = (TreeRoot[])_roots.Clone();
            _writer = new TreeWriter(_owner, Source, new FreedSet());
            _log = new TxLog(Database.MaxFramePayload);
        }
    }
}
