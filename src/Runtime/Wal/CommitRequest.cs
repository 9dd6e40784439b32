using Persistence.Transactions;

namespace Persistence.Wal;

/// <summary>
/// A commit waiting for the WAL: its planned frames, whether it must be durable before it is acknowledged, and the
/// signal that tells its waiter either "done" or "you lead the next batch".
/// </summary>
internal sealed class CommitRequest(DbVersion? version, List<PlannedFrame> frames, bool durable)
{
    /// <summary>The version the commit creates; null for a request that only asks for an fsync.</summary>
    public DbVersion? Version { get; } = version;

    public List<PlannedFrame> Frames { get; } = frames;

    public bool Durable { get; } = durable;

    /// <summary>Completes with true when the waiter must lead a batch, false when the request is done.</summary>
    public TaskCompletionSource<bool> Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsDone { get; set; }

    /// <summary>The number of batches completed when the request was queued (for the fairness bound).</summary>
    public long QueuedAfterBatch { get; set; }

    /// <summary>The number of the batch that completed the request.</summary>
    public long CompletedInBatch { get; set; }

    public Exception? Error { get; set; }

    /// <summary>
    /// Set when the request's commit is not to be written: under the gate while it is unclaimed (its version may no
    /// longer hold what its commit wrote, or was built on a commit that failed), or by the leader for the commit whose
    /// scratch log did not read back and the commits of its batch after it. No frame of it is written, nothing of it is
    /// published, and it fails with <see cref="Error"/>.
    /// </summary>
    public bool Abandoned { get; set; }
}

/// <summary>
/// A frame placed in the log: its position, its buffer (header space plus payload) and its kind. A chunk that a large
/// transaction spilled has no buffer: the writer reads it back from <see cref="Spilled"/> when it writes the frame.
/// </summary>
internal readonly record struct PlannedFrame(long Lsn, byte[]? Buffer, int Length, uint PayloadCrc, WalFrameKind Kind, LogChunk? Spilled = null);
