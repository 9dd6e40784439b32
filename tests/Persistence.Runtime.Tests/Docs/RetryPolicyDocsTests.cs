namespace Persistence.Tests.Docs;

/// <summary>
/// <see cref="RetryPolicy"/>'s documented default ("ten attempts, 1 ms doubling up to 100 ms") and bounds (at least one
/// attempt; 0 ≤ BaseDelay ≤ MaxDelay ≤ a day): <c>Database.Write</c> and <c>WriteAsync</c> refuse a policy outside them
/// with <see cref="InvalidOptionsException"/> before running the work, and take one at the bounds.
/// </summary>
public sealed class RetryPolicyDocsTests
{
    public static TheoryData<string, RetryPolicy, bool> Policies => new()
    {
        { "one attempt", new RetryPolicy { MaxAttempts = 1 }, true },
        { "no attempt", new RetryPolicy { MaxAttempts = 0 }, false },
        { "no delay", new RetryPolicy { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }, true },
        { "negative base", new RetryPolicy { BaseDelay = TimeSpan.FromTicks(-1) }, false },
        { "base above max", new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(101) }, false },
        { "a day", new RetryPolicy { MaxDelay = TimeSpan.FromDays(1) }, true },
        { "past a day", new RetryPolicy { MaxDelay = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1) }, false },
    };

    [Fact]
    public void The_default_is_ten_attempts_from_one_millisecond_doubling_up_to_a_hundred()
    {
        Assert.Equal(new RetryPolicy { MaxAttempts = 10, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(100) }, RetryPolicy.Default);
        Assert.Equal(RetryPolicy.Default, new RetryPolicy());
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Write_takes_a_policy_within_the_documented_bounds_and_refuses_one_outside(string name, RetryPolicy policy, bool valid)
    {
        using var db = Database.OpenInMemory();
        var runs = 0;
        if (valid)
        {
            db.Write(_ => runs++, policy);
            await db.WriteAsync((_, _) => { runs++; return ValueTask.CompletedTask; }, policy);
            Assert.Equal(2, runs);
            return;
        }

        Assert.Equal(nameof(RetryPolicy), Assert.Throws<InvalidOptionsException>(() => db.Write(_ => runs++, policy)).Option);
        Assert.Equal(nameof(RetryPolicy), (await Assert.ThrowsAsync<InvalidOptionsException>(() => db.WriteAsync((_, _) => { runs++; return ValueTask.CompletedTask; }, policy))).Option);
        Assert.True(runs == 0, $"{name}: the work ran.");
    }
}
