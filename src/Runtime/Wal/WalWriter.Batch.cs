using System.Diagnostics;
using Persistence.Storage;

namespace Persistence.Wal;

internal sealed partial class WalWriter
{
    /// <summary>The most bytes of spilled chunks read back before the run holding them is written (8 MiB; tests lower it).</summary>
    internal int MaxLoadedRunBytes { get; set; } = 8 << 20;

    /// <summary>Writes (and, if any request needs it, syncs) everything queued; run by the leader only.</summary>
    private void RunBatch()
    {
        Gather();
        List<CommitRequest> claimed;
        lock (_gate)
        {
            claimed = [.. _queue];
            _queue.Clear();
        }

        // Abandoned commits (AbandonUnclaimedLocked) are failed, never written or published.
        var batch = claimed.Exists(static r => r.Abandoned) ? claimed.FindAll(static r => !r.Abandoned) : claimed;
        Exception? error = null;
        try
        {
            var written = WriteFrames(batch, out var spillFailure);

            // After a scratch file failed, what was written before it is synced at once: the database turns read-only,
            // and the buffered commits acknowledged before it must not wait for a timer to become durable. Synced before
            // the commits after it are refused: a failed sync is the log's failure (every commit in flight fails with
            // it, and it is the read-only cause, never retried), and the refusal says that what came before is durable.
            var synced = false;
            if ((spillFailure is not null || batch.Exists(static r => r.Durable)) && _writtenLsn > _durableLsn)
            {
                synced = true;
                foreach (var file in _unflushed)
                {
                    file.Flush();
                }

                _unflushed.Clear();
                Syncs++;
                Volatile.Write(ref _durableLsn, _writtenLsn);
            }

            if (spillFailure is not null)
            {
                RefuseFrom(batch, written, spillFailure);
            }

            Interlocked.Increment(ref _batches);
            _metrics?.Batch(batch.Take(written).Count(static r => r.Version is not null), synced);
            for (var i = written - 1; i >= 0; i--)
            {
                if (batch[i].Version is { } last)
                {
                    _publish(last);
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            error = ex as DatabaseReadOnlyException
                ?? new DatabaseReadOnlyException($"Writing or syncing the write-ahead log failed, so the outcome of the commits in flight is unknown; the database is now read-only (reopen it to recover). Cause: {ex.Message}", ex);
            _onFailure(error);
        }

        var number = Batches;
        foreach (var request in claimed)
        {
            request.Error = request.Abandoned ? request.Error : error;
            request.CompletedInBatch = number;
            MaxBatchesWaited = Math.Max(MaxBatchesWaited, number - request.QueuedAfterBatch);
            request.IsDone = true;
            request.Signal.TrySetResult(false);
        }

        HandOff(error);
        if (error is null && WrittenLsn > DurableLsn)
        {
            _unsyncedWritten();
        }
    }

    /// <summary>
    /// The scratch file of <paramref name="batch"/>[<paramref name="failed"/>]'s commit did not read back: that commit
    /// fails with the file's own failure, and every commit after it (the rest of the batch, the queue, and any queued
    /// later) was built on its version, so none of them is written and the database turns read-only. The log itself is
    /// sound: what came before is written, and requests that only ask for a sync still run.
    /// </summary>
    private void RefuseFrom(List<CommitRequest> batch, int failed, PersistenceException cause)
    {
        var request = batch[failed];
        var refusal = new DatabaseReadOnlyException(
            $"Commit {request.Version!.Number} failed: its scratch log did not read back when the write-ahead log took it ({cause.Message}). The commits sequenced after it were built on it, so none of them is written and the database is now read-only (reopen it to recover); every commit acknowledged before it is in the log and durable.",
            cause);
        request.Abandoned = true;
        request.Error = cause;
        for (var i = failed + 1; i < batch.Count; i++)
        {
            if (batch[i].Version is not null)
            {
                batch[i].Abandoned = true;
                batch[i].Error = refusal;
            }
        }

        // Read-only first: a commit refused as it is queued (Enqueue) then finds the database read-only, so that no
        // commit can be checking conflicts against the failed commit's scratch log when its waiter deletes the file.
        _onFailure(refusal);
        lock (_gate)
        {
            AbandonQueuedLocked(refusal, request.Frames[0].Lsn);
        }
    }

    /// <summary>
    /// Before claiming a batch that needs a sync, waits for the open writers that have not queued their commits yet, so
    /// that they share this sync instead of waiting for it and taking the next one: while a batch syncs, the writers it
    /// releases are still building their next commits, and a leader that claimed at once took about half of them (9 of
    /// 16 writers' commits per sync). It yields the processor meanwhile, to those writers, and stops when every open
    /// writer is queued, when no commit arrived for <see cref="GatherStall"/> (a writer holding its transaction open
    /// while it works), or after <see cref="GatherWindow"/>. A lone writer never waits; nor does a batch holding a
    /// buffered commit: buffered commits share no sync, and where they mix with durable ones (1 in 100, say) waiting
    /// gathered mostly buffered commits and cost the durable one its latency (about 7 % fewer commits in two runs of
    /// such a mix). Nor does an empty queue.
    /// </summary>
    private void Gather()
    {
        if (OpenWriters is not { } open || GatherWindow <= TimeSpan.Zero)
        {
            return;
        }

        var started = 0L;
        var arrived = 0L;
        var queued = 0;
        while (true)
        {
            int count;
            lock (_gate)
            {
                // Only the leader claims, so the queue only grows meanwhile: each look checks the new arrivals alone.
                count = _queue.Count;
                for (var i = queued; i < count; i++)
                {
                    if (!_queue[i].Durable)
                    {
                        return;
                    }
                }
            }

            if (count == 0)
            {
                return;
            }

            if (count >= open())
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            if (started == 0)
            {
                started = arrived = now;
                Interlocked.Increment(ref _gathered);
            }
            else
            {
                if (count > queued)
                {
                    arrived = now;
                }
                else if (Stopwatch.GetElapsedTime(arrived, now) >= GatherStall)
                {
                    return;
                }

                // On every look, not only on one without an arrival: a stream of commits arriving faster than the
                // leader looks would otherwise keep the batch unclaimed for as long as it lasts.
                if (Stopwatch.GetElapsedTime(started, now) >= GatherWindow)
                {
                    return;
                }
            }

            queued = count;
            Thread.Yield();
        }
    }

    private void HandOff(Exception? error)
    {
        List<CommitRequest>? failed = null;
        lock (_gate)
        {
            if (error is not null)
            {
                _failure ??= error;
                failed = [.. _queue];
                _queue.Clear();
            }

            if (_queue.Count > 0)
            {
                _queue[0].Signal.TrySetResult(true);
            }
            else
            {
                _leading = false;
            }
        }

        foreach (var request in failed ?? [])
        {
            request.Error = error;
            request.IsDone = true;
            request.Signal.TrySetResult(false);
        }
    }

    /// <summary>
    /// Writes the batch's frames, reading spilled chunks back as it goes. Returns how many of its requests were written
    /// whole: all of them, or those before the one whose spilled chunk did not read back (<paramref name="spillFailure"/>),
    /// of which nothing is written after the failure and nothing counts as written before it (frames of it already in
    /// the file, to bound the memory read back, are an incomplete commit: recovery drops one, and the writer writes
    /// nothing after it).
    /// </summary>
    private int WriteFrames(List<CommitRequest> batch, out PersistenceException? spillFailure)
    {
        spillFailure = null;
        IStorageFile? file = null;
        var run = new List<ReadOnlyMemory<byte>>();
        byte[]? arena = null; // spilled chunks are read back into it, back to back, until the run holding them is written
        var arenaUsed = 0;
        long runStart = -1;
        long runEnd = -1;
        var framesBefore = FramesWritten;
        var requestRunIndex = 0; // where the current request's frames start in the run (0 once a flush wrote part of them)
        var written = batch.Count;
        for (var r = 0; r < written; r++)
        {
            var request = batch[r];
            var version = request.Version?.Number ?? 0;
            var (chainBefore, endBefore) = (_chain, runEnd);
            requestRunIndex = run.Count;
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
                    spillFailure = LoadSpilled(frame, arena.AsSpan(offset, frame.Length));
                    if (spillFailure is not null)
                    {
                        // Leaves the log as the previous request left it: its frames still in the run are dropped.
                        FramesWritten -= run.Count - requestRunIndex;
                        run.RemoveRange(requestRunIndex, run.Count - requestRunIndex);
                        (_chain, runEnd) = (chainBefore, endBefore);
                        written = r;
                        break;
                    }
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

            if (r == written)
            {
                break;
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

        return written;

        void Flush(IStorageFile? target, long start, List<ReadOnlyMemory<byte>> buffers)
        {
            arenaUsed = 0; // what it held is written now, or about to be
            requestRunIndex = 0;
            if (target is null || buffers.Count == 0)
            {
                return;
            }

            target.Write(_segments.OffsetOf(start), buffers);
            _unflushed.Add(target);
            buffers.Clear();
        }
    }

    /// <summary>Reads a spilled chunk back into <paramref name="frame"/>; returns the scratch file's failure instead of throwing it.</summary>
    private static PersistenceException? LoadSpilled(PlannedFrame planned, Span<byte> frame)
    {
        try
        {
            planned.Spilled!.LoadFrame(frame);
            return null;
        }
        catch (PersistenceException ex) // StorageException or CorruptionException: the scratch file's, not the log's
        {
            return ex;
        }
    }
}
