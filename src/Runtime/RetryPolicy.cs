namespace Persistence;

/// <summary>
/// How <see cref="Database.Write{T}(Func{WriteTransaction, T}, RetryPolicy?, Durability?)"/> retries a transaction that
/// lost a write conflict: up to <see cref="MaxAttempts"/> attempts, waiting an exponentially growing, jittered delay
/// between <see cref="BaseDelay"/> and <see cref="MaxDelay"/>. From the third attempt on, the transaction runs alone
/// among <c>Write</c> calls (see <see cref="Database.Write{T}(Func{WriteTransaction, T}, RetryPolicy?, Durability?)"/>).
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Ten attempts, 1 ms doubling up to 100 ms.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>Attempts in total, including the first (at least 1).</summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>The delay before the second attempt (zero or more, and at most <see cref="MaxDelay"/>).</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest delay between attempts (at least <see cref="BaseDelay"/>, at most a day).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The delay before attempt <paramref name="attempt"/> (2 or more): full jitter over an exponential ceiling.</summary>
    internal TimeSpan DelayBefore(int attempt)
    {
        // Saturates at MaxDelay instead of overflowing: BaseDelay shifted left by up to 30 bits exceeds a long from about 15 minutes on.
        var shift = Math.Min(attempt - 2, 30);
        var ceiling = BaseDelay.Ticks > MaxDelay.Ticks >> shift ? MaxDelay.Ticks : BaseDelay.Ticks << shift;
        return TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * ceiling));
    }

    /// <summary>The longest <see cref="MaxDelay"/> accepted: a day, well inside what <c>Thread.Sleep</c> and <c>Task.Delay</c> take.</summary>
    internal static readonly TimeSpan LongestDelay = TimeSpan.FromDays(1);

    internal void Validate()
    {
        if (MaxAttempts < 1 || BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay || MaxDelay > LongestDelay)
        {
            throw new InvalidOptionsException(nameof(RetryPolicy), $"A retry policy needs MaxAttempts ≥ 1 and 0 ≤ BaseDelay ≤ MaxDelay ≤ {LongestDelay}; got {this}.");
        }
    }
}
