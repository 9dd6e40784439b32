using Persistence.Transactions;

namespace Persistence.Wal;

/// <summary>
/// A commit waiting for the WAL: its planned frames, whether it must be durable before it is acknowledged, and the
/// signal that tells its waiter either "done" or "you lead the next batch".
/// </summary>
internal sealed class CommitRequest(DbVersion? version, List<PlannedFrame> frames, bool durable)
{
    private const int Pending = 0;
    private const int Leading = 1;
    private const int Finished = 2;
    private static readonly Task<bool> Lead = Task.FromResult(true);
    private static readonly Task<bool> Done = Task.FromResult(false);
    private int _signal; // Pending, Leading or Finished: guarded by this object's monitor
    private bool _blocked; // a synchronous waiter sleeps on the monitor
    private TaskCompletionSource<bool>? _awaited; // what an asynchronous waiter awaits, made only for one

    /// <summary>The version the commit creates; null for a request that only asks for an fsync.</summary>
    public DbVersion? Version { get; } = version;

    public List<PlannedFrame> Frames { get; } = frames;

    public bool Durable { get; } = durable;

    public bool IsDone { get; set; }

    /// <summary>
    /// Tells the waiter to lead the next batch (<paramref name="lead"/>) or that the request is done. Ignored when a
    /// signal is already pending: "done" never follows an unconsumed "lead", since only the leader claims its request.
    /// </summary>
    public void Signal(bool lead)
    {
        TaskCompletionSource<bool>? awaited;
        lock (this)
        {
            if (_signal != Pending)
            {
                return;
            }

            awaited = _awaited;
            _awaited = null;
            if (awaited is null || !lead)
            {
                _signal = lead ? Leading : Finished; // an awaited "lead" is consumed by completing the awaited task
            }

            if (_blocked)
            {
                Monitor.Pulse(this);
            }
        }

        awaited?.TrySetResult(lead);
    }

    /// <summary>
    /// Blocks until signalled; true means "lead a batch" (consumed: the next wait is for "done"). The thread sleeps on
    /// the monitor without spinning: a commit waits about an fsync, and waiters that spin or yield meanwhile (as a
    /// blocking wait on a task does) take the processor from the leader and from the commits being built.
    /// </summary>
    public bool WaitSignal()
    {
        lock (this)
        {
            while (_signal == Pending)
            {
                _blocked = true;
                Monitor.Wait(this);
            }

            _blocked = false;
            return Consume();
        }
    }

    /// <summary>
    /// As <see cref="WaitSignal"/>, without blocking a thread: completes at once when the signal is in. A "lead" that
    /// completes the returned task is consumed with it.
    /// </summary>
    public Task<bool> WaitSignalAsync()
    {
        lock (this)
        {
            if (_signal != Pending)
            {
                return Consume() ? Lead : Done;
            }

            _awaited ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _awaited.Task;
        }
    }

    // Under the monitor: a "lead" is taken once; "done" stays.
    private bool Consume()
    {
        if (_signal == Leading)
        {
            _signal = Pending;
            return true;
        }

        return false;
    }

    /// <summary>The number of batches completed when the request was queued (for the fairness bound).</summary>
    public long QueuedAfterBatch { get; set; }

    /// <summary>The number of the batch that completed the request.</summary>
    public long CompletedInBatch { get; set; }

    public Exception? Error { get; set; }

    /// <summary>
    /// Set (under the gate, while unclaimed) when the request's version may no longer hold what its commit wrote: the
    /// leader that claims it writes none of its frames, publishes nothing of it and fails it with <see cref="Error"/>.
    /// </summary>
    public bool Abandoned { get; set; }
}

/// <summary>
/// A frame placed in the log: its position, its buffer (header space plus payload) and its kind. A chunk that a large
/// transaction spilled has no buffer: the writer reads it back from <see cref="Spilled"/> when it writes the frame.
/// </summary>
internal readonly record struct PlannedFrame(long Lsn, byte[]? Buffer, int Length, uint PayloadCrc, WalFrameKind Kind, LogChunk? Spilled = null);
