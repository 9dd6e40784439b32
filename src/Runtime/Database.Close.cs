using System.Diagnostics;
using Persistence.Diagnostics;
using Persistence.Wal;

namespace Persistence;

/// <summary>The close: one sequence, run to completion by <see cref="Dispose"/> and awaited by <see cref="DisposeAsync"/>.</summary>
/// <remarks>
/// <para>The sequence (<see cref="CloseAsync"/>) stops the expiry collector, refuses new commits and waits for those in
/// flight, makes buffered commits durable, stops the checkpointer's thread, runs the final checkpoint and closes the
/// files. Each step that waits is written once, with a <c>synchronous</c> flag: <see cref="Dispose"/> blocks on it, and
/// the sequence then completes before it returns; <see cref="DisposeAsync"/> awaits it (the collector's loop, the log's
/// sync, the checkpointer thread's exit), and the final checkpoint and the closing of the files, which block on the
/// disk and on checkpoint-lock holders and have no asynchronous form, run on a thread-pool thread.</para>
/// <para>Some of those waits may be for the caller's own work. The engine calls the application's code from inside work
/// the close waits for: its logger from a commit in flight (a failed batch makes the database read-only and logs it),
/// the checkpointer's thread, the preparation of the next log segment and the expiry collector's loop; metrics
/// listeners on a commit's thread (its own measurements and its batch's) and on the checkpointer's thread;
/// continuations on the checkpointer's thread; documents' code in the collector's loop. A Dispose from
/// there (<see cref="CloseWaitsForCurrentThread"/>) must not wait for the close, which would wait for itself: it starts
/// the close on a thread-pool thread when nobody has, and returns at once; the close finishes once the caller's work
/// unwinds, closing the files once. A call from inside the close (a logger it calls) returns at once too.</para>
/// <para>The collector's work is the one wait that may depend on the caller's other threads: a pass runs documents'
/// code, which may wait on a lock the disposing thread holds. The close waits for the collector at most
/// <c>TtlCollector.CloseWaitLimit</c> on the database's clock, then goes on without it (<c>TtlCollector.StopAsync</c>).</para>
/// </remarks>
public sealed partial class Database
{
    /// <summary>The database whose close runs in this asynchronous flow: its own logging, say, calling Dispose again.</summary>
    private static readonly AsyncLocal<Database?> ClosingFlow = new();

    /// <summary>1 once a call claimed the close; <see cref="_closed"/> completes when it is done.</summary>
    private int _closeClaimed;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What one call of Dispose or DisposeAsync does.</summary>
    private enum CloseRole
    {
        /// <summary>It claimed the close and runs it.</summary>
        Closes,

        /// <summary>Another call closes (or closed) the database: wait until it is done.</summary>
        Waits,

        /// <summary>The close waits for this thread's work, or runs it: it must not wait (the close runs elsewhere).</summary>
        MustNotWait,
    }

    /// <summary>
    /// Checkpoints (unless read-only), waits for background work and the commits in flight to finish, and closes the
    /// files. Idempotent and thread-safe: a call made while another is closing the database returns once the files are
    /// closed (and the lock released), so that the caller may reopen the database at once. A call from the
    /// database's own background work (a logger the checkpointer, the log or the expiry collector calls) or from inside
    /// the close returns at once, the close finishing once that work unwinds: waiting there would wait for itself.
    /// </summary>
    /// <remarks>
    /// <para>It blocks the calling thread until the commits in flight finish, and until a pass of the expiry collector
    /// under way (the database's own, or one the application runs with <see cref="CollectExpiredAsync"/>) stops, at its
    /// next batch or pause. A call from inside such a pass (a document's code, also through another database's pass that
    /// the pass runs) returns at once, as from the rest of the database's background work. A pass that waits on
    /// something the calling thread holds (a lock its documents' code takes) never reaches its next batch: the close
    /// waits for it at most 30 seconds on the database's <see cref="TimeProvider"/>, logs a warning (event 19) and goes
    /// on without it, and the pass fails with <see cref="ErrorCode.DatabaseClosed"/> once it resumes; the reads it would
    /// have written are written by the close. Do not hold, while disposing, what code in a pass needs.</para>
    /// <para>An asynchronous commit (<c>CommitAsync</c>) needs a thread-pool thread to finish: a Dispose on a pool
    /// thread, while every pool thread is blocked and the pool may not grow (<see cref="ThreadPool.SetMaxThreads"/>),
    /// waits until one is free. Close from asynchronous code with <see cref="DisposeAsync"/>, which holds no thread while
    /// it waits.</para>
    /// </remarks>
    public void Dispose()
    {
        switch (ClaimClose())
        {
            case CloseRole.Closes:
                var close = RunCloseAsync(synchronous: true);
                Debug.Assert(close.IsCompleted, "a synchronous close never awaits an incomplete task");
                close.GetAwaiter().GetResult();
                break;
            case CloseRole.Waits:
                _closed.Task.GetAwaiter().GetResult();
                break;
        }
    }

    /// <summary>
    /// As <see cref="Dispose"/>, without blocking the calling thread while the close waits: for the expiry collector,
    /// the commits in flight, the log's sync and the checkpointer's thread it awaits, and it runs the final checkpoint
    /// and the closing of the files on a thread-pool thread. The task completes once the files are closed.
    /// </summary>
    public ValueTask DisposeAsync() => ClaimClose() switch
    {
        CloseRole.Closes => new ValueTask(RunCloseAsync(synchronous: false)),
        CloseRole.Waits => new ValueTask(_closed.Task),
        _ => ClosingFlow.Value == this ? ValueTask.CompletedTask : new ValueTask(_closed.Task),
    };

    private CloseRole ClaimClose()
    {
        if (ClosingFlow.Value == this)
        {
            return CloseRole.MustNotWait; // called by the close itself (its logging): it is under way
        }

        var waitsForThisThread = CloseWaitsForCurrentThread();
        if (Interlocked.Exchange(ref _closeClaimed, 1) != 0)
        {
            return waitsForThisThread ? CloseRole.MustNotWait : CloseRole.Waits;
        }

        if (!waitsForThisThread)
        {
            return CloseRole.Closes;
        }

        // The close waits for this thread's work to unwind, so it cannot run here: it runs on the thread pool, without
        // the caller's asynchronous context (the collector's flow marker, say).
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => RunCloseAsync(synchronous: false));
        }

        return CloseRole.MustNotWait;
    }

    /// <summary>
    /// True where the close may wait for the caller's own work: inside the database's call of the application's logger
    /// (from a commit in flight, the group commit's leader, the flush timer, the checkpointer, the preparation of a log
    /// segment or the expiry collector), inside a measurement it records (a metrics listener on a commit's thread), and
    /// anywhere on the checkpointer's thread, in the expiry collector's own loop or in a pass of the collector whoever
    /// runs it (a metrics listener, a continuation or a document's code running there): the close waits for the pass.
    /// </summary>
    private bool CloseWaitsForCurrentThread() =>
        DatabaseLogger.IsLogging(this)
        || DatabaseMetrics.IsRecording(this)
        || (_checkpointer?.IsBackgroundThread ?? false)
        || Ttl.IsCollectorFlow;

    private async Task RunCloseAsync(bool synchronous)
    {
        ClosingFlow.Value = this; // restored for the caller when this method returns or first yields
        try
        {
            await CloseAsync(synchronous).ConfigureAwait(false);
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    /// <summary>The close sequence. With <paramref name="synchronous"/> it blocks instead of awaiting, and completes before it returns.</summary>
    private async ValueTask CloseAsync(bool synchronous)
    {
        await Ttl.StopAsync(synchronous).ConfigureAwait(false); // the collector's last batch commits before the drain
        _disposed = true;
        Interlocked.MemoryBarrier(); // a full fence: EnterCommit sees the flag, or the drain's first read sees its count (Dekker)
        await DrainCommitsAsync(synchronous).ConfigureAwait(false); // commits already sequenced finish (and are acknowledged) before the files close
        StopFlushTimer();
        try
        {
            if (Wal is { } wal && wal.WrittenLsn > wal.DurableLsn && !wal.HasFailed)
            {
                // Buffered commits become durable at a clean close, also when the database turned read-only for a
                // reason other than the log's own failure (which is never retried).
                var sync = wal.SubmitSync();
                if (synchronous)
                {
                    wal.Wait(sync);
                }
                else
                {
                    await wal.WaitAsync(sync).ConfigureAwait(false);
                }
            }

            if (_checkpointer is { } checkpointer)
            {
                var stopped = checkpointer.Stop();
                if (synchronous)
                {
                    stopped.GetAwaiter().GetResult();
                }
                else
                {
                    await stopped.ConfigureAwait(false);
                }

                if (!IsReadOnly)
                {
                    await OnPoolUnless(synchronous, checkpointer.RunFinal).ConfigureAwait(false);
                }
            }
        }
        catch (PersistenceException)
        {
            // Read-only now: the log keeps whatever was made durable; closing must not throw.
        }
        finally
        {
            await OnPoolUnless(synchronous, CloseFiles).ConfigureAwait(false);
        }
    }

    /// <summary>Runs blocking work here when <paramref name="synchronous"/>, else on a thread-pool thread, awaited.</summary>
    private static ValueTask OnPoolUnless(bool synchronous, Action work)
    {
        if (!synchronous)
        {
            return new ValueTask(Task.Run(work));
        }

        work();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Waits until the commits in flight are done, once <see cref="_disposed"/> is set and fenced (no commit starts
    /// after this method's first read of the count). It spins briefly, since a commit usually ends within a batch, and
    /// then waits on a signal the last commit out completes (<see cref="EnterCommit"/> documents the protocol): a
    /// synchronous close blocks on it, an asynchronous one awaits it without holding a thread. It does not poll: no
    /// timer, and nothing on the clock, so that a test's frozen fake clock does not stop the close either.
    /// </summary>
    private async ValueTask DrainCommitsAsync(bool synchronous)
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref _inflightCommits) > 0)
        {
            if (!spin.NextSpinWillYield)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            // A new signal each round: the previous one may have been completed early by a decrement that read it late
            // (see EnterCommit). The exchange is the full fence between publishing it and reading the count.
            var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _commitsDrained, drained);
            if (Volatile.Read(ref _inflightCommits) == 0)
            {
                break;
            }

            if (synchronous)
            {
                drained.Task.GetAwaiter().GetResult(); // completed inline by the commit's thread: no thread-pool thread needed
            }
            else
            {
                await drained.Task.ConfigureAwait(false);
            }
        }
    }

    /// <summary>The last step: refuses later checkpoints, closes the log, the data file, scratch files and the lock.</summary>
    private void CloseFiles()
    {
        _checkpointer?.Close(); // later checkpoints, spills and checks of the file are refused
        Wal?.Dispose();
        _store?.Dispose();
        DeleteSpills();
        _fileLock?.Dispose();
        Metrics.Dispose();
        if (_checkpointer?.BackgroundFailure is { } failure)
        {
            Log.FinalCheckpointFailed(Logger, Path!, failure);
        }

        Log.Closed(Logger, Path ?? ":memory:");
    }

    /// <summary>
    /// Closes and removes the scratch files of transaction logs still held (a writer left open, or a commit that
    /// failed after it was sequenced), then any other left in the directory.
    /// </summary>
    private void DeleteSpills()
    {
        if (_fileSystem is null || Interlocked.Read(ref _spillFiles) == 0)
        {
            return;
        }

        _chain.DropLogs();
        LogSpill.DeleteLeftovers(_fileSystem, Path!, ex => Log.SpillCleanupFailed(Logger, Path!, ex));
    }
}
