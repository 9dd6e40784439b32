namespace Persistence.Benchmarks.Measurement;

/// <summary>
/// One thread's part of a <see cref="TimedLoop"/>: created on its own thread (so a SQLite connection is opened by the
/// thread that uses it), then asked to run one operation at a time.
/// </summary>
internal abstract class LoopWorker : IDisposable
{
    /// <summary>Wrong answers seen (a missing document, a wrong count): a correct run reports zero.</summary>
    public long Errors { get; protected set; }

    /// <summary>Operations retried after a write conflict or SQLITE_BUSY; they still count as one operation.</summary>
    public virtual long Retries => 0;

    /// <summary>Runs one operation and returns its latency category (0 unless the workload separates kinds of operation).</summary>
    public abstract int Execute();

    public virtual void Dispose()
    {
    }
}
