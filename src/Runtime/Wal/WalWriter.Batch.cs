using Persistence.Storage;

namespace Persistence.Wal;

internal sealed partial class WalWriter
{
    /// <summary>The most bytes of spilled chunks read back before the run holding them is written (8 MiB; tests lower it).</summary>
    internal int MaxLoadedRunBytes { get; set; } = 8 << 20;

    /// <summary>
    /// Claims and writes everything queued, hands leadership on, syncs the log if any request in the batch needs it,
    /// then completes the batches that are finished, in order. Run by the leader only. Returns with the batch completed,
    /// or finished and left for the thread completing an earlier one.
    /// </summary>
    private void RunBatch()
    {
        Batch batch;
        lock (_gate)
        {
            batch = new Batch(_claimed++, [.. _queue]);
            _queue.Clear();
            _inFlight++;
        }

        // Abandoned commits (AbandonUnclaimedLocked) are failed, never written or published.
        var live = batch.Requests.Exists(static r => r.Abandoned) ? batch.Requests.FindAll(static r => !r.Abandoned) : batch.Requests;
        try
        {
            var before = _writtenLsn;
            WriteFrames(live);
            batch.Wrote = _writtenLsn > before;
            if (live.Exists(static r => r.Durable))
            {
                ClaimSync(batch);
            }
        }
        catch (Exception ex)
        {
            batch.Error = Fail(ex);
        }

        lock (_gate)
        {
            _writing = false;
            LeadNextLocked();
        }

        if (batch.Files is not null)
        {
            Sync(batch);
        }

        Finish(batch);
    }

    /// <summary>
    /// The batch is acknowledged durable: everything written so far becomes durable when it completes. The segments
    /// written since the last claim are its to sync; if there are none, the batches in flight before it sync all there
    /// is, and completing after them is enough.
    /// </summary>
    private void ClaimSync(Batch batch)
    {
        batch.DurableTo = _writtenLsn;
        if (_writtenLsn > _syncClaimedLsn)
        {
            batch.Files = [.. _unflushed];
            _unflushed.Clear();
            _syncClaimedLsn = _writtenLsn;
        }
    }

    private void Sync(Batch batch)
    {
        lock (_gate)
        {
            // Once anything failed, nothing more is synced: a later sync that succeeds proves nothing about the pages
            // the failed one dropped (Linux marks them clean), and the batches after a failure fail anyway.
            if (batch.Error is not null || _failure is not null)
            {
                return;
            }

            _syncing.Add(batch);
        }

        try
        {
            foreach (var file in batch.Files!)
            {
                file.Flush();
            }

            Interlocked.Increment(ref _syncs);
        }
        catch (Exception ex)
        {
            batch.Error = Fail(ex);
        }
        finally
        {
            lock (_gate)
            {
                // Linux reports a failed write-back to one fdatasync per open file: of two running at once, either may
                // take the error of the other's pages. This sync's success counts only once the syncs still running
                // beside it (their outcome recorded, Fail first) have ended without failing (Finish).
                _syncing.Remove(batch);
                batch.Overlapping = _syncing.Count > 0 ? [.. _syncing] : null;
            }
        }
    }

    // Hands leadership to the oldest queued commit when a batch may be claimed: none is being written, fewer than
    // MaxInFlight are claimed and not completed, and nothing failed.
    private void LeadNextLocked()
    {
        if (MayLeadLocked())
        {
            _writing = true;
            _queue[0].Signal(lead: true);
        }
    }

    /// <summary>
    /// Records the first failure (the database turns read-only) and fails every unclaimed request: nothing more is
    /// claimed, written or synced. The batches in flight fail when they complete, in order.
    /// </summary>
    private DatabaseReadOnlyException Fail(Exception ex)
    {
        var error = ex as DatabaseReadOnlyException
            ?? new DatabaseReadOnlyException($"Writing or syncing the write-ahead log failed, so the outcome of the commits in flight is unknown; the database is now read-only (reopen it to recover). Cause: {ex.Message}", ex);
        List<CommitRequest> failed;
        lock (_gate)
        {
            _failure ??= error;
            failed = [.. _queue];
            _queue.Clear();
        }

        _onFailure(error);
        foreach (var request in failed)
        {
            request.Error = error;
            request.IsDone = true;
            request.Signal(lead: false);
        }

        return error;
    }

    /// <summary>
    /// Queues the finished batch for completion and, unless another thread is completing, completes every finished
    /// batch that is next in order: a batch whose sync ended first waits for the ones before it, and one whose sync
    /// ended while another ran waits for that one too.
    /// </summary>
    private void Finish(Batch batch)
    {
        lock (_gate)
        {
            _finished.Add(batch.Number, batch);
            if (_completing)
            {
                return;
            }

            _completing = true;
        }

        var completed = false;
        while (true)
        {
            Batch next;
            Exception? failure;
            lock (_gate)
            {
                if (completed)
                {
                    _inFlight--; // its slot is free: the next batch may be claimed
                    LeadNextLocked();
                }

                // A batch whose sync ended while another ran waits for that one: the sync that ends it calls Finish.
                if (!_finished.TryGetValue(_nextToComplete, out next!) || (next.Overlapping?.Exists(_syncing.Contains) ?? false))
                {
                    _completing = false;
                    return;
                }

                _finished.Remove(_nextToComplete);
                _nextToComplete++;
                failure = _failure;
            }

            Complete(next, next.Error ?? failure);
            completed = true;
        }
    }

    /// <summary>
    /// Publishes the batch's last version and completes its requests; or fails them all, when it or any batch before it
    /// failed (a batch after a failed one is never acknowledged, whatever its own sync said).
    /// </summary>
    private void Complete(Batch batch, Exception? error)
    {
        if (error is null)
        {
            try
            {
                if (batch.DurableTo > _durableLsn)
                {
                    Volatile.Write(ref _durableLsn, batch.DurableTo);
                }

                Interlocked.Increment(ref _batches);
                _metrics?.Batch(batch.Requests.Count(static r => r.Version is not null && !r.Abandoned), batch.Files is not null);
                for (var i = batch.Requests.Count - 1; i >= 0; i--)
                {
                    if (batch.Requests[i] is { Abandoned: false, Version: { } last })
                    {
                        _publish(last);
                        break;
                    }
                }
            }
            catch (Exception ex)
            {
                error = Fail(ex);
            }
        }

        var number = Batches;
        foreach (var request in batch.Requests)
        {
            request.Error = request.Abandoned ? request.Error : error;
            request.CompletedInBatch = number;
            MaxBatchesWaited = Math.Max(MaxBatchesWaited, number - request.QueuedAfterBatch);
            request.IsDone = true;
            request.Signal(lead: false);
        }

        if (error is null && batch.Wrote && batch.DurableTo < 0)
        {
            _unsyncedWritten(); // buffered commits only: the flush timer makes them durable
        }
    }

    /// <summary>A claimed batch: its requests in log order, what it must sync, and how it ended.</summary>
    private sealed class Batch(long number, List<CommitRequest> requests)
    {
        public long Number { get; } = number;

        public List<CommitRequest> Requests { get; } = requests;

        /// <summary>Whether it wrote any frame.</summary>
        public bool Wrote { get; set; }

        /// <summary>The log is durable up to here once it completes (-1 when no request in it asked for durability).</summary>
        public long DurableTo { get; set; } = -1;

        /// <summary>The segments it syncs; null when it syncs nothing.</summary>
        public List<IStorageFile>? Files { get; set; }

        /// <summary>The batches whose syncs still ran when its own ended (null: none); it completes only after them.</summary>
        public List<Batch>? Overlapping { get; set; }

        public Exception? Error { get; set; }
    }

    private void WriteFrames(List<CommitRequest> batch)
    {
        IStorageFile? file = null;
        var run = new List<ReadOnlyMemory<byte>>();
        byte[]? arena = null; // spilled chunks are read back into it, back to back, until the run holding them is written
        var arenaUsed = 0;
        long runStart = -1;
        long runEnd = -1;
        var framesBefore = FramesWritten;
        foreach (var request in batch)
        {
            var version = request.Version?.Number ?? 0;
            foreach (var frame in request.Frames)
            {
                if (file is null || frame.Lsn != runEnd || _segments.IndexOf(frame.Lsn) != _segments.IndexOf(runStart))
                {
                    Flush(file, runStart, run);
                    file = _segments.OpenForWrite(_segments.IndexOf(frame.Lsn));
                    runStart = frame.Lsn;
                }

                var buffer = frame.Buffer;
                var offset = 0;
                if (buffer is null)
                {
                    arena ??= new byte[Math.Max(MaxLoadedRunBytes, WalFrame.HeaderSize + MaxFramePayload)];
                    if (arenaUsed + frame.Length > arena.Length)
                    {
                        // Bounds the memory a spilled transaction takes back at its commit: write what was read so far.
                        Flush(file, runStart, run);
                        runStart = frame.Lsn;
                    }

                    buffer = arena;
                    offset = arenaUsed;
                    arenaUsed += frame.Length;
                    frame.Spilled!.LoadFrame(arena.AsSpan(offset, frame.Length));
                }

                var header = buffer.AsSpan(offset, WalFrame.HeaderSize);
                var frameVersion = frame.Kind == WalFrameKind.SegmentEnd ? 0 : version;
                // The batch's first frame says whether everything before it is durable (the last batch synced): a
                // frame that says so and survives behind a damaged one proves the damage is not a torn end (LogTailCheck).
                var durableBefore = FramesWritten == framesBefore && frame.Lsn == _durableLsn;
                WalFrame.WriteHeader(header, _chain, frame.Length - WalFrame.HeaderSize, frame.Lsn, frameVersion, frame.PayloadCrc, frame.Kind, durableBefore);
                _chain = WalFrame.FrameChecksum(header);
                run.Add(buffer.AsMemory(offset, frame.Length));
                runEnd = frame.Lsn + frame.Length;
                FramesWritten++;
            }

            if (request.Version is { } v)
            {
                v.EndChain = _chain;
            }
        }

        Flush(file, runStart, run);
        if (runEnd >= 0)
        {
            Volatile.Write(ref _writtenLsn, runEnd);
        }

        void Flush(IStorageFile? target, long start, List<ReadOnlyMemory<byte>> buffers)
        {
            arenaUsed = 0; // what it held is written now, or about to be
            if (target is null || buffers.Count == 0)
            {
                return;
            }

            target.Write(_segments.OffsetOf(start), buffers);
            _unflushed.Add(target);
            buffers.Clear();
        }
    }
}
