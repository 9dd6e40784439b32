using Persistence.Testing;

namespace Persistence.Tests.Transactions;

/// <summary>
/// Power failures at a few hundred storage operations of a workload (writes, segment switches, checkpoints, a clean
/// reopen), each rebooted with unsynced writes dropped, the last write torn, or unsynced writes reordered. The long
/// run (10,000 points) is tests/Persistence.CrashTorture.
/// </summary>
public sealed class CrashRecoveryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_acknowledged_commit_survives_and_no_partial_commit_is_visible(int seed)
    {
        var scenario = new CrashScenario(seed);
        var total = scenario.CountOperations();
        Assert.True(total > 100, $"the workload performs only {total} storage operations");
        Assert.True(scenario.SpilledPages > 10, $"the workload's large transactions wrote out only {scenario.SpilledPages} leaves before their commits");
        var random = new Random(seed);
        var failures = new List<string>();
        var points = Enumerable.Range(0, 100).Select(_ => random.NextInt64(total + 1)).Append(0).Append(total - 1).Distinct().ToList();
        foreach (var point in points)
        {
            var mode = (CrashMode)(point % 3);
            var outcome = scenario.Execute(point, mode);
            if (!outcome.Passed)
            {
                failures.Add($"seed {seed}, crash at {point}/{total}, {mode}: {outcome.Detail}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
        Assert.True(scenario.RecoveredLeaves > 10, $"the reopens after the crashes wrote out only {scenario.RecoveredLeaves} leaves while replaying the log");
    }
}

/// <summary>Power failures while several threads commit (group commit, mixed durability) and background checkpoints run.</summary>
public sealed class ConcurrentCrashRecoveryTests
{
    [Fact]
    public void Concurrent_commits_are_atomic_and_acknowledged_durable_ones_survive()
    {
        var failures = new List<string>();
        var random = new Random(5);
        for (var n = 0; n < 60; n++)
        {
            var crashAt = random.NextInt64(20, 700);
            var mode = (CrashMode)(n % 3);
            var outcome = ConcurrentCrashScenario.Execute(n, crashAt, mode);
            if (!outcome.Passed)
            {
                failures.Add($"seed {n}, crash at {crashAt}, {mode}: {outcome.Detail}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
    }
}
