using Persistence.Storage;
using Persistence.Transactions;

namespace Persistence.Wal;

/// <summary>
/// Appends commits to the log with group commit. Commits are planned (given their LSNs) in commit order by the
/// sequencer and queued; the first waiter becomes the leader and writes everything queued as one batch (one vectored
/// write per segment). Once its batch is written, the leader hands leadership to the oldest queued commit and, if any
/// commit in its batch is durable, syncs the log: the next batch is written, and its sync begins, while this one's
/// runs (at most <see cref="MaxInFlight"/> batches claimed and not completed; the disk overlaps concurrent flushes). Batches
/// complete strictly in log order whenever their syncs end: a batch is published, and its commits acknowledged, only
/// after every batch before it. A commit therefore waits behind at most the batches in flight: no fixed delay, and no
/// starvation.
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
    private readonly HashSet<IStorageFile> _unflushed = []; // segments written since a batch last claimed a sync; the writing leader's
    private readonly Dictionary<long, Batch> _finished = []; // written (and synced) batches waiting for the ones before them
    private readonly HashSet<Batch> _syncing = []; // batches whose sync runs, or whose failure is not recorded yet
    private bool _writing; // a leader claims and writes a batch: one at a time, in log order
    private int _inFlight; // batches claimed and not completed
    private bool _completing; // a thread completes finished batches in order
    private long _claimed; // batches claimed so far: the next batch's number
    private long _nextToComplete; // the number of the oldest batch not completed
    private long _syncClaimedLsn; // the log before this is durable or being synced by a batch in flight; the writing leader's
    private uint _chain;
    private long _nextLsn;
    private long _writtenLsn;
    private long _durableLsn;
    private Exception? _failure;
    private long _batches;
    private long _syncs;

    /// <param name="unsyncedWritten">Called after a batch left written-but-unsynced data (schedules the buffered-durability timer).</param>
    public WalWriter(WalSegments segments, long startLsn, uint chainSeed, Action<DbVersion> publish, Action<Exception> onFailure, Action unsyncedWritten, Diagnostics.DatabaseMetrics? metrics = null)
    {
        _metrics = metrics;
        _unsyncedWritten = unsyncedWritten;
        _segments = segments;
        _publish = publish;
        _onFailure = onFailure;
        _nextLsn = _writtenLsn = _durableLsn = _syncClaimedLsn = startLsn;
        _chain = chainSeed;
        MaxFramePayload = Math.Min(1 << 20, (segments.SegmentSize / 4) - WalFrame.HeaderSize);
    }

    public int MaxFramePayload { get; }

    public long NextLsn => Volatile.Read(ref _nextLsn);

    public long WrittenLsn => Volatile.Read(ref _writtenLsn);

    public long DurableLsn => Volatile.Read(ref _durableLsn);

    public long Batches => Volatile.Read(ref _batches);

    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>
    /// The most batches claimed and not completed (2 by default, so at most two syncs run at once; tests set 1 to hold
    /// one batch's sync and see the next batch wait to be claimed). More overlap gives smaller batches; two already let
    /// the disk overlap one flush with the next.
    /// </summary>
    internal int MaxInFlight { get; set; } = 2;

    /// <summary>
    /// The most batches any commit saw complete between being queued and being done: at most
    /// <see cref="MaxInFlight"/> + 1 (the batches in flight when it was queued, then its own) by construction.
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
    public void AbandonUnclaimedLocked(Exception cause)
    {
        var error = new DatabaseReadOnlyException(
            $"The commit was not written: a later commit that shared its batch failed while changing its nodes, so the database is now read-only (reopen it to recover; nothing of this commit is in the log). Cause: {cause.Message}",
            cause);
        foreach (var request in _queue)
        {
            if (request.Version is not null)
            {
                request.Abandoned = true;
                request.Error = error;
            }
        }
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

        Volatile.Write(ref _nextLsn, position);
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
            if (request.WaitSignal())
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
            if (await request.WaitSignalAsync().ConfigureAwait(false))
            {
                RunBatch();
            }
        }

        ThrowIfFailed(request);
    }

    public void Dispose() => _segments.Dispose();

    private static void ThrowIfFailed(CommitRequest request)
    {
        if (request.Error is { } error)
        {
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

            request.QueuedAfterBatch = _batches;
            _queue.Add(request);
        }
    }

    // The request may already belong to a batch in flight (claimed by another leader): then it leads only if others
    // are queued, and waits for its own batch afterwards.
    private bool TryLead(CommitRequest request)
    {
        lock (_gate)
        {
            if (request.IsDone || !MayLeadLocked())
            {
                return false;
            }

            _writing = true;
            return true;
        }
    }

    private bool MayLeadLocked() => !_writing && _inFlight < MaxInFlight && _queue.Count > 0 && _failure is null;
}
