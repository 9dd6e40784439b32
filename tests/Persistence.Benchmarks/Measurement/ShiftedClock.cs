namespace Persistence.Benchmarks.Measurement;

/// <summary>
/// The system clock with a wall-clock offset that only grows: <see cref="MoveTo"/> jumps the wall time forward (so that
/// a group of documents expires at once), while timestamps and timers stay the system's. The collector therefore
/// measures and paces itself on real time (its <see cref="TtlOptions.MaxCollectorShare"/> pauses are real), unlike
/// under a frozen test clock, which would make every pause zero.
/// </summary>
internal sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Volatile.Read(ref _offsetTicks));

    public override long GetTimestamp() => System.GetTimestamp();

    public override long TimestampFrequency => System.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime, period);

    /// <summary>Moves the wall clock to <paramref name="time"/>, if that is later than now.</summary>
    public void MoveTo(DateTimeOffset time)
    {
        var ahead = (time - GetUtcNow()).Ticks;
        if (ahead > 0)
        {
            Interlocked.Add(ref _offsetTicks, ahead);
        }
    }
}
