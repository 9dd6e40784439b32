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
/// <remarks>
/// Not bound to a thread (an <c>await</c> inside it may continue on another), but never to be used by two threads at
/// once: a call that begins while another thread is inside one (a put, a read, a cursor move, a collection's whole
/// operation, a commit) throws <see cref="TransactionStateException"/> with <see cref="ErrorCode.TransactionInUse"/>,
/// does nothing, and fails the transaction: it can then only be rolled back or disposed, and nothing of it commits.
/// <see cref="Transaction.Dispose"/> is never refused; it waits for the call inside to end.
/// </remarks>
public sealed partial class WriteTransaction : Transaction
{
    private readonly object _owner = new();
    private TreeRoot[] _roots;
    private Catalog _catalog;
    private TreeWriter? _writer;
    private WriteOverlay? _overlay;
    private TxLog? _log;
    private byte[]? _keyCopy;
    private byte[]? _valueCopy;
    private int _released;
    private SpilledPages? _spilled;
    private int _spillBase;
    private int _stillUnwritten;
    private bool _adopted;
    private List<Action<long>>? _onSequenced;

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

    /// <summary>Operations in the transaction's log so far (for tests).</summary>
    internal int LoggedOperations => _log?.OpCount ?? 0;

    /// <summary>
    /// What a collection remembers of the last document <c>Get</c> returned in this transaction (its index values as
    /// stored), so that an <c>Update</c> of it right after does not read and decode the stored version again.
    /// </summary>
    internal object? ReadMemo { get; set; }

    internal object OwnerToken => _owner;

    private protected override object? WriterToken => _owner;

    /// <summary>
    /// Runs <paramref name="callback"/> with the commit's version number once the commit is sequenced (under the
    /// sequencer's lock, before the version can become visible). Used by caches that must never serve a value older
    /// than a snapshot that can see this commit.
    /// </summary>
    internal void OnSequenced(Action<long> callback) => (_onSequenced ??= []).Add(callback);

    internal void Sequenced(long version)
    {
        if (_onSequenced is { } callbacks)
        {
            foreach (var callback in callbacks)
            {
                callback(version);
            }
        }
    }

    internal TreeRoot[] Roots => _roots;

    internal TxLog? Log => _log;

    internal FreedSet? Freed => _writer?.Freed;

    /// <summary>True while the writes live in an overlay over the snapshot (a small transaction): the commit applies the log.</summary>
    internal bool UsesOverlay => _writer is null;

    /// <summary>Whether the transaction still accepts reads and writes (not completed, failed or disposed).</summary>
    internal bool IsActive => _state == Active;

    /// <summary>
    /// The pages the commit leaves for the next checkpoint to write (the dirty-page estimate): the nodes the private
    /// tree made, less those its spills wrote.
    /// </summary>
    internal int NodesCreated => _writer is null ? 0 : _spilled is null ? _writer.NodesCreated : _stillUnwritten + _writer.NodesCreated - _spillBase;

    /// <summary>The commit made the private tree the new version, with every leaf it spilled (called under the sequencer's lock).</summary>
    internal void MarkAdopted()
    {
        _adopted = true;
        _spilled?.Close(); // before the version is published: readers may find the written-out leaves from then on
    }

    internal override Catalog CurrentCatalog => _catalog;

    /// <summary>Creates a keyspace; throws <see cref="KeyspaceException"/> when one with that name exists.</summary>
    public Keyspace CreateKeyspace(string name)
    {
        using var use = Use();
        Keyspace.ValidateName(name);
        ThrowIfNotActive();
        if (_catalog.TryGet(name, out _))
        {
            throw new KeyspaceException(ErrorCode.KeyspaceExists, $"The keyspace '{name}' already exists.", name);
        }

        var keyspace = new Keyspace(Database, Database.AllocateKeyspaceId(), name);
        PrepareWrite();
        Promote();
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
    public Keyspace GetOrCreateKeyspace(string name)
    {
        using var use = Use();
        return TryGetKeyspace(name, out var keyspace) ? keyspace : CreateKeyspace(name);
    }

    /// <summary>Deletes a keyspace and everything in it.</summary>
    public void DeleteKeyspace(Keyspace keyspace)
    {
        using var use = Use();
        RootOf(keyspace);
        PrepareWrite();
        Promote();
        try
        {
            _writer!.FreeTree(_roots[keyspace.Id].Root);
        }
        catch (Exception ex)
        {
            Fail(ex);
            throw;
        }

        _roots[keyspace.Id] = TreeRoot.Empty;
        _catalog = _catalog.Without(keyspace);
        _log!.DropKeyspace(keyspace.Id);
        ModCount++;
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, inserting or replacing.</summary>
    public void Put(Keyspace keyspace, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Put(keyspace, key, value, addOnly: false, out _);

    /// <summary>
    /// Puts <paramref name="key"/> unless it is present; when it is, writes nothing and returns false with its value in
    /// <paramref name="existing"/> (valid until the next write). A large transaction does both in one descent of its
    /// private tree (a unique index's check and insert, for one).
    /// </summary>
    internal bool TryAdd(Keyspace keyspace, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out ReadOnlySpan<byte> existing)
    {
        using var use = Use();
        if (UsesOverlay && TryGet(keyspace, key, out existing))
        {
            return false;
        }

        return Put(keyspace, key, value, addOnly: true, out existing);
    }

    private bool Put(Keyspace keyspace, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool addOnly, out ReadOnlySpan<byte> existing)
    {
        using var use = Use();
        RootOf(keyspace);
        Database.ValidateKey(key);
        Database.ValidateValue(value);
        PrepareWrite();
        existing = default;
        try
        {
            if (_writer is null)
            {
                _overlay!.Put(keyspace.Id, key.ToArray(), value, this);
                if (_overlay.ShouldPromote)
                {
                    Promote();
                }
            }
            else
            {
                key = Detached(key, ref _keyCopy);
                value = Detached(value, ref _valueCopy);
                if (!addOnly)
                {
                    _writer.Put(ref _roots[keyspace.Id], key, value);
                }
                else if (!_writer.TryAdd(ref _roots[keyspace.Id], key, value, out var leaf, out var slot))
                {
                    ModCount++; // nothing was added, but the descent may have copied or rebalanced the pages on its path
                    existing = TreeReader.Value(leaf!, slot, Source);
                    return false;
                }
            }

            _log!.Put(keyspace.Id, key, value);
            AfterTreeWrite();
        }
        catch (Exception ex)
        {
            Fail(ex);
            throw;
        }

        ModCount++;
        return true;
    }

    /// <summary>
    /// <paramref name="bytes"/> copied into <paramref name="buffer"/> (reused, grown as needed) when they may lie in a
    /// page of this transaction's own trees, which it changes in place: a cursor's key or a value read in this
    /// transaction points into such a page, and the put or delete that takes it may compact, split or even out that
    /// very page, moving the bytes under the span before they are copied into the tree and the log. Only what fits
    /// inline in a page can lie in one: larger values are taken as they are.
    /// </summary>
    private ReadOnlySpan<byte> Detached(ReadOnlySpan<byte> bytes, ref byte[]? buffer)
    {
        if (bytes.Length > _writer!.Limits.MaxInlineValue)
        {
            return bytes;
        }

        if (buffer is null || buffer.Length < bytes.Length)
        {
            buffer = new byte[Math.Max(bytes.Length, 64)];
        }

        bytes.CopyTo(buffer);
        return buffer.AsSpan(0, bytes.Length);
    }

    /// <summary>Removes <paramref name="key"/>; returns false when it was not present.</summary>
    public bool Delete(Keyspace keyspace, ReadOnlySpan<byte> key)
    {
        using var use = Use();
        RootOf(keyspace);
        Database.ValidateKey(key);
        PrepareWrite();
        try
        {
            bool deleted;
            if (_writer is null)
            {
                deleted = _overlay!.Delete(keyspace.Id, key.ToArray(), this);
                if (_overlay.ShouldPromote)
                {
                    Promote(); // a large delete-only transaction too: its private tree is adopted at commit, not replayed
                }
            }
            else
            {
                key = Detached(key, ref _keyCopy);
                deleted = _writer.Delete(ref _roots[keyspace.Id], key);
            }

            if (!deleted)
            {
                return false;
            }

            _log!.Delete(keyspace.Id, key);
            AfterTreeWrite();
        }
        catch (Exception ex)
        {
            Fail(ex);
            throw;
        }

        ModCount++;
        return true;
    }

    /// <summary>
    /// Commits. Returns once the commit is acknowledged under <see cref="Durability"/>. Throws
    /// <see cref="WriteConflictException"/> (nothing applied) or <see cref="DatabaseReadOnlyException"/>; when this
    /// transaction, or one committed since its snapshot, moved its log to a scratch file, also
    /// <see cref="StorageException"/> or <see cref="CorruptionException"/> if that file does not read back whole (nothing
    /// applied; the database stays writable, unless the log writer was reading it: the commits sequenced after this one
    /// were built on it, so the database turns read-only, with every commit acknowledged before it durable). The
    /// transaction is complete afterwards either way.
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

            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            Database.Sequencer.CommitLatency.Record(elapsed);
            Database.Metrics.Commit(elapsed);
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

            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            Database.Sequencer.CommitLatency.Record(elapsed);
            Database.Metrics.Commit(elapsed);
        }
        finally
        {
            EndCommit();
        }
    }

    /// <summary>Discards the writes. The transaction is complete afterwards.</summary>
    public void Rollback()
    {
        using var use = Use();
        var state = _state;
        if (state != Active && state != Failed)
        {
            ThrowIfNotActive(); // completed or disposed: final states, so this read agrees with the one above
        }

        Interlocked.CompareExchange(ref _state, Completed, state); // a thread refused meanwhile may have failed it: so be it
        Release();
    }

    internal override TreeRoot CurrentRoot(int keyspaceId) => (uint)keyspaceId < (uint)_roots.Length ? _roots[keyspaceId] : TreeRoot.Empty;

    internal override IKeyCursor OpenKeyCursor(Keyspace keyspace)
    {
        var tree = new TreeCursor(Source, _owner);
        tree.Reset(CurrentRoot(keyspace.Id).Root);
        return _overlay?.EntriesOf(keyspace.Id) is { Count: > 0 } entries ? new OverlayCursor(tree, entries) : tree;
    }

    private protected override bool Lookup(Keyspace keyspace, TreeRoot root, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        if (_overlay is not null && _overlay.TryGet(keyspace.Id, key, out var pending))
        {
            value = pending;
            return pending is not null;
        }

        return base.Lookup(keyspace, root, key, out value);
    }

    private protected override long CountOf(Keyspace keyspace, TreeRoot root) => root.Count + (_overlay?.CountDelta(keyspace.Id) ?? 0);

    private protected override void OnDispose(bool wasActive) => Release(); // once only; a failed transaction too

    /// <summary>
    /// Sequences the commit. False when there is nothing to wait for (the transaction is simply complete): nothing was
    /// written, and, for a durable commit, everything its snapshot holds is durable already.
    /// </summary>
    /// <remarks>
    /// <para>A durable commit without writes still comes after the buffered commits its snapshot holds, and may have acted
    /// on what they wrote: acknowledging it promises that they survive a power failure, so it waits for a sync of the log
    /// (the same request a checkpoint uses) when they are not durable yet. Only then; otherwise it costs nothing.</para>
    /// <para>The transaction's in-use guard is held until the commit is sequenced (its state read, its tree adopted or its
    /// log replayed), not while the commit waits for the log: it is complete by then, so every call but disposal is
    /// refused anyway, and a use cannot span the <c>await</c> of <see cref="CommitAsync"/>.</para>
    /// </remarks>
    private bool TryBeginCommit(out CommitRequest? request)
    {
        using var use = Use();
        ThrowIfNotActive();
        if (!TryEnd(Completed))
        {
            ThrowIfNotActive(); // failed by a thread refused since the check, or disposed: it throws
            throw new System.Diagnostics.UnreachableException();
        }

        request = null;
        var syncOnly = !HasWrites;
        if (syncOnly && (Durability != Durability.Durable || Database.Wal is not { } log || log.DurableLsn >= Snapshot.EndLsn))
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
            request = syncOnly ? Database.Wal!.SubmitSync() : Database.Sequencer.Commit(this);
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
        if (Interlocked.Exchange(ref _released, 1) == 0) // once, even if a commit's end and a Dispose race
        {
            if (_log is { IsCommitted: false } log)
            {
                log.DiscardSpill(); // rolled back, failed or refused: nobody reads this log again
            }

            if (_spilled is { } spilled)
            {
                spilled.Close();
                // No version reaches the private tree's pages unless the commit adopted it; replaced ones, never.
                Database.Checkpointer!.ReturnSpilled(_adopted ? spilled.Replaced : spilled.All);
                spilled.Forget();
            }

            Database.Sequencer.EndWriter(this);
            Database.Store?.Cache.TryRecycleEvicted();
        }
    }

    private void PrepareWrite()
    {
        if (_log is null)
        {
            Database.ThrowIfReadOnly();
            _overlay = new WriteOverlay();
            _log = new TxLog(Database.MaxFramePayload, Database.SpillPolicy);
        }
    }

    /// <summary>
    /// Whether this transaction's snapshot (not its pending writes) holds <paramref name="key"/>: asked by the write
    /// overlay only, before any promotion, while the roots are still the snapshot's.
    /// </summary>
    internal bool InSnapshot(int keyspaceId, byte[] key) => TreeReader.TryFind(CurrentRoot(keyspaceId).Root, key, Source, out _, out _);

    /// <summary>After a write to the tree: writes leaves out if the private tree grew large, and recycles evicted spilled pages.</summary>
    private void AfterTreeWrite()
    {
        SpillIfLarge();
        _spilled?.RecycleEvicted(Source.Pages);
    }

    /// <summary>
    /// Writes leaves of the private tree out once it holds <see cref="Database.SpillLeavesAfter"/> unwritten nodes (and
    /// made at least a quarter of that many since the last time, so that nodes a spill cannot write, such as branches,
    /// never make every write spill), keeping at most three quarters of that many, the leaves changed lately first: a
    /// transaction larger than the page cache then holds a bounded number of pages in memory, not all of them until
    /// the checkpoint after its commit.
    /// </summary>
    private void SpillIfLarge()
    {
        if (_writer is null)
        {
            return;
        }

        var limit = Database.SpillLeavesAfter;
        var sinceSpill = _writer.NodesCreated - _spillBase;
        if (sinceSpill + _stillUnwritten < limit || sinceSpill < limit / 4 || Database.Checkpointer is not { } checkpointer)
        {
            return;
        }

        _writer.Freed.Spills = _spilled ??= new SpilledPages();
        _stillUnwritten = checkpointer.SpillLeaves(_roots, _owner, _spilled, keep: limit / 4 * 3);
        _spillBase = _writer.NodesCreated;
    }

    /// <summary>Moves the pending writes into a private copy-on-write tree (large transactions, keyspace changes).</summary>
    private void Promote()
    {
        if (_writer is not null)
        {
            return;
        }

        _roots = (TreeRoot[])_roots.Clone();
        _writer = new TreeWriter(_owner, Source, new FreedSet(), Snapshot.Number + 1);
        try
        {
            foreach (var (keyspace, entries) in _overlay!.All)
            {
                foreach (var entry in entries)
                {
                    if (entry.Value is { } value)
                    {
                        _writer.Put(ref _roots[keyspace], entry.Key, value);
                    }
                    else
                    {
                        _writer.Delete(ref _roots[keyspace], entry.Key);
                    }
                }
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
            throw;
        }

        _overlay = null;
    }
}
