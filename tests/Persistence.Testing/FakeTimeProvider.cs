namespace Persistence.Testing;

/// <summary>
/// A clock that moves only when told to. Timers created from it fire, in due order, when <see cref="Advance"/> passes
/// their due time. The clock may also be set backwards (<see cref="SetUtcNow"/>) to test wall-clock jumps; the
/// monotonic timestamp never goes backwards.
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now;
    private long _timestamp;

    public FakeTimeProvider(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _timestamp;
        }
    }

    /// <summary>
    /// The timers that an <see cref="Advance"/> far enough would fire: zero while, say, a loop that sleeps on this clock
    /// has been woken and not yet gone back to sleep (its continuation may still wait for a thread-pool thread).
    /// </summary>
    public int ArmedTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count;
            }
        }
    }

    /// <summary>Moves wall-clock and monotonic time forward, firing due timers.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        long target;
        lock (_lock)
        {
            target = _timestamp + delta.Ticks;
        }

        while (true)
        {
            FakeTimer? due;
            lock (_lock)
            {
                due = _timers.Where(t => t.DueTimestamp <= target).MinBy(t => t.DueTimestamp);
                var step = (due?.DueTimestamp ?? target) - _timestamp;
                if (step > 0)
                {
                    _timestamp += step;
                    _now += TimeSpan.FromTicks(step);
                }

                if (due is null)
                {
                    return;
                }

                due.Reschedule();
            }

            due.Fire();
        }
    }

    /// <summary>Sets the wall clock (possibly backwards); monotonic time is unaffected.</summary>
    public void SetUtcNow(DateTimeOffset now)
    {
        lock (_lock)
        {
            _now = now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _period;

        public long DueTimestamp { get; private set; } = long.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueTimestamp = owner._timestamp + dueTime.Ticks;
                    owner._timers.Add(this);
                }
            }

            return true;
        }

        public void Reschedule()
        {
            if (_period > 0)
            {
                DueTimestamp += _period;
            }
            else
            {
                owner._timers.Remove(this);
                DueTimestamp = long.MaxValue;
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
