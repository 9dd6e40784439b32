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

    /// <summary>The delay before the second attempt.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest delay between attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The delay before attempt <paramref name="attempt"/> (2 or more): full jitter over an exponential ceiling.</summary>
    internal TimeSpan DelayBefore(int attempt)
    {
        var ceiling = Math.Min(MaxDelay.Ticks, BaseDelay.Ticks * (1L << Math.Min(attempt - 2, 30)));
        return TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * ceiling));
    }

    internal void Validate()
    {
        if (MaxAttempts < 1 || BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay)
        {
            throw new InvalidOptionsException(nameof(RetryPolicy), $"A retry policy needs MaxAttempts ≥ 1 and 0 ≤ BaseDelay ≤ MaxDelay; got {this}.");
        }
    }
}
