namespace Persistence;

public sealed partial class Database
{
    private readonly Lock _flushTimerLock = new();
    private ITimer? _flushTimer;

    /// <summary>
    /// Buffered commits were written but not synced: make them durable within <see cref="DatabaseOptions.BufferedFlushDelay"/>
    /// unless a durable commit does it first. One timer at a time; it asks the WAL for a sync through the normal queue.
    /// </summary>
    private void ScheduleBufferedFlush()
    {
        lock (_flushTimerLock)
        {
            if (_flushTimer is not null || _disposed)
            {
                return;
            }

            _flushTimer = TimeProvider.CreateTimer(_ => FlushBuffered(), null, _options.BufferedFlushDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void FlushBuffered()
    {
        lock (_flushTimerLock)
        {
            _flushTimer?.Dispose();
            _flushTimer = null;
        }

        if (Wal is not { } wal || wal.DurableLsn >= wal.WrittenLsn || !EnterCommit())
        {
            return;
        }

        try
        {
            wal.Wait(wal.SubmitSync());
        }
        catch (PersistenceException)
        {
            // The WAL made the database read-only; buffered commits since the last sync were acknowledged as
            // buffered, which is the documented risk of that mode.
        }
        finally
        {
            ExitCommit();
        }
    }

    private void StopFlushTimer()
    {
        lock (_flushTimerLock)
        {
            _flushTimer?.Dispose();
            _flushTimer = null;
        }
    }
}
