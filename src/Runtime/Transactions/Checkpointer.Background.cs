namespace Persistence.Transactions;

internal sealed partial class Checkpointer
{
    private readonly SemaphoreSlim _wake = new(0);
    private Thread? _thread;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _timer;
    private volatile bool _stopping;
    private bool _closed; // under _run: see Close
    private long _lastCheckpoint;

    /// <summary>The failure that stopped background checkpoints, if any.</summary>
    public Exception? BackgroundFailure { get; private set; }

    public void Start()
    {
        if (!_database.Options.BackgroundWork)
        {
            return; // checkpoints on demand and at close only (DatabaseOptions.BackgroundWork)
        }

        _thread = new Thread(Loop) { IsBackground = true, Name = "Persistence checkpointer" };
        _thread.Start();
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10, Math.Min(_database.Options.CheckpointInterval.Ticks / 4, TimeSpan.TicksPerSecond)));
        _timer = _database.TimeProvider.CreateTimer(_ => Nudge(), null, period, period);
    }

    /// <summary>Wakes the background thread to check whether a checkpoint is due.</summary>
    public void Nudge()
    {
        if (!_stopping && _wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>True when enough log, dirty pages or time has accumulated since the last checkpoint (or, with nothing committed, the snapshot clock moved and the interval passed).</summary>
    public bool IsDue()
    {
        var options = _database.Options;
        if (_database.Versions.Latest.Number == Durable.CheckpointVersion)
        {
            // Reads alone: record the snapshot clock once an interval, so that after a crash with the clock set back
            // only documents that expired within about the last interval can show again. Only the expiry of bound
            // collections reads that clock, so a database without one writes nothing while it is only read.
            return ClockAhead && !_database.IsReadOnly && _database.Ttl.HasCollections
                && _database.TimeProvider.GetElapsedTime(_lastCheckpoint) >= options.CheckpointInterval;
        }

        return _wal.NextLsn - Durable.WalStartLsn >= options.CheckpointWalBytes
            || _database.Sequencer.DirtyNodes * _store.PageSize >= options.PageCacheBytes / 4
            || _database.TimeProvider.GetElapsedTime(_lastCheckpoint) >= options.CheckpointInterval;
    }

    /// <summary>True on the background thread (whose logging, say, may dispose the database: the close must not wait for it there).</summary>
    public bool IsBackgroundThread => _thread is { } thread && ReferenceEquals(thread, Thread.CurrentThread);

    /// <summary>
    /// Stops the background thread. The task completes once the thread has finished its checkpoint under way (at once
    /// without a thread), without blocking the caller: the close awaits it, or blocks on it.
    /// </summary>
    public Task Stop()
    {
        _stopping = true;
        _timer?.Dispose();
        _wake.Release();

        // _wake is deliberately not disposed: a timer callback already running when the timer was disposed may still
        // call Nudge, and a SemaphoreSlim without a wait handle holds nothing that needs disposing.
        return _thread is null ? Task.CompletedTask : _exited.Task;
    }

    /// <summary>The close's last checkpoint, after <see cref="Stop"/>, so the next open replays nothing. Never throws.</summary>
    public void RunFinal()
    {
        if (_database.IsReadOnly)
        {
            return;
        }

        try
        {
            Run();
        }
        catch (Exception ex)
        {
            // The database is read-only now; every acknowledged commit is still in the log and the next open
            // replays it. Closing must not throw.
            BackgroundFailure = ex;
        }
    }

    /// <summary>
    /// Called by the database's close after <see cref="Stop"/>, before the files close: waits for a checkpoint,
    /// truncation, spill or consistency check under way (they hold the checkpoint lock), and refuses every later one
    /// with <see cref="ErrorCode.DatabaseClosed"/> (<see cref="ThrowIfClosed"/>): one whose caller passed the database's
    /// own check just before the disposal began would otherwise write into a file being closed, or, once the lock file
    /// is released, into a file another instance may have opened.
    /// </summary>
    public void Close()
    {
        lock (_run)
        {
            _closed = true;
        }
    }

    /// <summary>Throws <see cref="ErrorCode.DatabaseClosed"/> once <see cref="Close"/> ran. Called under the checkpoint lock.</summary>
    public void ThrowIfClosed()
    {
        if (_closed)
        {
            throw TransactionStateException.DatabaseClosed();
        }
    }

    private void Loop()
    {
        try
        {
            while (!_stopping)
            {
                _wake.Wait();
                if (_stopping || !IsDue())
                {
                    continue;
                }

                try
                {
                    Run();
                }
                catch (Exception ex)
                {
                    // Run made the database read-only; the commits already acknowledged are safe in the log.
                    BackgroundFailure = ex;
                    return;
                }
            }
        }
        finally
        {
            _exited.TrySetResult();
        }
    }
}
