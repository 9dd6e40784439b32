using Persistence.Storage;
using Persistence.Transactions;

namespace Persistence.Wal;

/// <summary>
/// Appends commits to the log with group commit. Commits are planned (given their LSNs) in commit order by the
/// sequencer and queued; the first waiter becomes the leader, writes everything queued as one batch (one vectored
/// write per segment and, if any commit in it is durable, one fdatasync), publishes the batch, completes its waiters
/// and hands leadership to the oldest queued commit. A commit therefore waits behind at most the batch in flight:
/// no fixed delay, and no starvation.
/// </summary>
internal sealed partial class WalWriter : IDisposable
{
    private readonly WalSegments _segments;
    private readonly Action<DbVersion> _publish;
    private readonly Action<Exception> _onFailure;
    private readonly Action _unsyncedWritten;
    private readonly Diagnostics.DatabaseMetrics? _metrics;
    private readonly Lock _gate = new();
    private readonly List<CommitRequest> _queue = [];
    private readonly HashSet<IStorageFile> _unflushed = [];
    private bool _leading;
    private uint _chain;
    private long _nextLsn;
    private long _writtenLsn;
    private long _durableLsn;
    private Exception? _failure;
    private DatabaseReadOnlyException? _refusal; // set once commits are no longer written (AbandonQueuedLocked); syncs still are
    private long _batches;
    private long _gathered;

    /// <param name="unsyncedWritten">Called after a batch left written-but-unsynced data (schedules the buffered-durability timer).</param>
    public WalWriter(WalSegments segments, long startLsn, uint chainSeed, Action<DbVersion> publish, Action<Exception> onFailure, Action unsyncedWritten, Diagnostics.DatabaseMetrics? metrics = null)
    {
        _metrics = metrics;
        _unsyncedWritten = unsyncedWritten;
        _segments = segments;
        _publish = publish;
        _onFailure = onFailure;
        _nextLsn = _writtenLsn = _durableLsn = startLsn;
        _chain = chainSeed;
        MaxFramePayload = Math.Min(1 << 20, (segments.SegmentSize / 4) - WalFrame.HeaderSize);
    }

    public int MaxFramePayload { get; }

    /// <summary>
    /// Durable write transactions open (<see cref="Transactions.CommitSequencer.OpenDurableWriters"/>): a leader about to
    /// sync waits briefly for those not queued yet (<see cref="GatherWindow"/>). Null: it never waits.
    /// </summary>
    public Func<int>? OpenWriters { get; init; }

    /// <summary>
    /// Called on the waiter's thread with the version of a commit that completed with a failure (refused, failed, or
    /// in flight when the log failed), before its waiter throws: nothing will read that commit's log again, so its
    /// scratch file can go now rather than at close (<see cref="Transactions.CommitSequencer.DropFailedLog"/>).
    /// </summary>
    public Action<DbVersion>? CommitFailed { get; init; }

    /// <summary>
    /// The longest a leader waits, before claiming a batch that needs a sync, for open writers to queue their commits
    /// (50 microseconds; zero turns gathering off). Real time, not the database's clock: a bound on a wait for other
    /// threads, as <see cref="Transactions.WriteTurns.MaxWait"/> is.
    /// </summary>
    internal TimeSpan GatherWindow { get; set; } = TimeSpan.FromMicroseconds(50);

    /// <summary>How long a gathering leader waits for the next commit before it stops waiting (25 microseconds).</summary>
    internal TimeSpan GatherStall { get; set; } = TimeSpan.FromMicroseconds(25);

    /// <summary>Batches whose leader waited for open writers to queue (diagnostics).</summary>
    public long Gathered => Volatile.Read(ref _gathered);

    public long NextLsn => Volatile.Read(ref _nextLsn);

    public long WrittenLsn => Volatile.Read(ref _writtenLsn);

    public long DurableLsn => Volatile.Read(ref _durableLsn);

    public long Batches => Volatile.Read(ref _batches);

    public long Syncs { get; private set; }

    /// <summary>
    /// The most batches any commit saw complete between being queued and being done: at most 2 (the batch in flight
    /// when it was queued, then its own) by construction.
    /// </summary>
    public long MaxBatchesWaited { get; private set; }

    public long FramesWritten { get; private set; }

    /// <summary>
    /// Places a commit's chunks in the log and queues it. Must be called in commit order (under the sequencer's lock).
    /// Returns the LSN after the commit.
    /// </summary>
    public CommitRequest Submit(DbVersion version, IReadOnlyList<LogChunk> chunks, bool durable)
    {
        lock (_gate)
        {
            return SubmitLocked(version, chunks, durable);
        }
    }

    /// <summary>The lock that the leader takes to claim a batch; holding it keeps the queue as it is.</summary>
    public Lock Gate => _gate;

    /// <summary>True when <paramref name="version"/>'s commit is the last one queued and no leader has claimed it yet (hold <see cref="Gate"/>).</summary>
    public bool IsLastQueued(DbVersion version) => _queue.Count > 0 && ReferenceEquals(_queue[^1].Version, version);

    /// <summary>
    /// Abandons every queued commit, none of which a leader has claimed yet (hold <see cref="Gate"/>): the leader that
    /// claims them writes none of their frames, publishes none of their versions and fails them. For when the nodes of
    /// the unclaimed batch no longer hold what its commits wrote (a commit replaying on them in place failed part-way).
    /// The log itself is sound, so requests that only ask for an fsync still run: buffered commits acknowledged
    /// before still become durable, by the flush timer or at close.
    /// </summary>
    public void AbandonUnclaimedLocked(Exception cause) =>
        AbandonQueuedLocked(
            new DatabaseReadOnlyException(
                $"The commit was not written: a later commit that shared its batch failed while changing its nodes, so the database is now read-only (reopen it to recover; nothing of this commit is in the log). Cause: {cause.Message}",
                cause),
            _nextLsn);

    /// <summary>
    /// Fails every queued commit with <paramref name="error"/> (hold <see cref="Gate"/>), and every commit queued from
    /// now on: none of them is written. Requests that only ask for a sync still run. The log's planned end
    /// (<see cref="NextLsn"/>) goes back to where the first commit not written began (<paramref name="logEnd"/> at the
    /// latest), so that what is counted as log since the checkpoint is what was written.
    /// </summary>
    private void AbandonQueuedLocked(DatabaseReadOnlyException error, long logEnd)
    {
        _refusal ??= error;
        foreach (var request in _queue)
        {
            if (request.Version is not null)
            {
                if (request.Frames.Count > 0)
                {
                    logEnd = Math.Min(logEnd, request.Frames[0].Lsn);
                }

                request.Abandoned = true;
                request.Error = error;
            }
        }

        Volatile.Write(ref _nextLsn, Math.Min(_nextLsn, logEnd));
    }

    /// <summary>True once writing or syncing the log failed: nothing more is written or synced.</summary>
    public bool HasFailed
    {
        get
        {
            lock (_gate)
            {
                return _failure is not null;
            }
        }
    }

    /// <summary>As <see cref="Submit"/>, with <see cref="Gate"/> held by the caller.</summary>
    public CommitRequest SubmitLocked(DbVersion version, IReadOnlyList<LogChunk> chunks, bool durable)
    {
        var frames = new List<PlannedFrame>(chunks.Count);
        var position = _nextLsn;
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var length = WalFrame.HeaderSize + chunk.PayloadLength;
            if (_segments.OffsetOf(position) + length + WalFrame.HeaderSize > _segments.SegmentSize)
            {
                frames.Add(new PlannedFrame(position, new byte[WalFrame.HeaderSize], WalFrame.HeaderSize, 0, WalFrameKind.SegmentEnd));
                position = (_segments.IndexOf(position) + 1) * _segments.SegmentSize;
            }

            frames.Add(new PlannedFrame(position, chunk.Buffer, length, chunk.PayloadCrc, i == chunks.Count - 1 ? WalFrameKind.CommitEnd : WalFrameKind.Data, chunk.Buffer is null ? chunk : null));
            position += length;
        }

        if (_refusal is null)
        {
            // A commit sequenced on a version that is never written is refused as it is queued: it takes no log space.
            Volatile.Write(ref _nextLsn, position);
        }

        version.EndLsn = position;
        var request = new CommitRequest(version, frames, durable);
        Enqueue(request);
        return request;
    }

    /// <summary>Queues a request that makes everything written so far durable.</summary>
    public CommitRequest SubmitSync()
    {
        var request = new CommitRequest(null, [], durable: true);
        Enqueue(request);
        return request;
    }

    /// <summary>Waits until the request is done, leading batches when asked to. Throws what failed the request.</summary>
    public void Wait(CommitRequest request)
    {
        if (TryLead(request))
        {
            RunBatch();
        }

        while (!request.IsDone)
        {
            if (request.Signal.Task.GetAwaiter().GetResult())
            {
                RunBatch();
            }
        }

        ThrowIfFailed(request);
    }

    /// <inheritdoc cref="Wait"/>
    public async ValueTask WaitAsync(CommitRequest request)
    {
        if (TryLead(request))
        {
            RunBatch();
        }

        while (!request.IsDone)
        {
            if (await request.Signal.Task.ConfigureAwait(false))
            {
                RunBatch();
            }
        }

        ThrowIfFailed(request);
    }

    public void Dispose() => _segments.Dispose();

    private void ThrowIfFailed(CommitRequest request)
    {
        if (request.Error is { } error)
        {
            if (request.Version is { } version)
            {
                CommitFailed?.Invoke(version); // throws nothing: a scratch file that would not go is only reported
            }

            throw error is PersistenceException ? error : new DatabaseReadOnlyException("The commit could not be made durable; the database is now read-only.", error);
        }
    }

    private void Enqueue(CommitRequest request)
    {
        lock (_gate)
        {
            if (_failure is { } failure)
            {
                request.Error = failure;
                request.IsDone = true;
                return;
            }

            if (_refusal is { } refusal && request.Version is not null)
            {
                // Sequenced before the database turned read-only, on a version that is never written.
                request.Error = refusal;
                request.IsDone = true;
                return;
            }

            request.QueuedAfterBatch = _batches;
            _queue.Add(request);
        }
    }

    private bool TryLead(CommitRequest request)
    {
        lock (_gate)
        {
            if (request.IsDone || _leading)
            {
                return false;
            }

            _leading = true;
            return true;
        }
    }
}
