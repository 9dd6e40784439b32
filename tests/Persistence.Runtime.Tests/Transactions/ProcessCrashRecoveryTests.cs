using Persistence.Testing;

namespace Persistence.Tests.Transactions;

/// <summary>
/// The process dies at a few dozen storage operations of the workload (a third of them fsyncs of the data file, a
/// third other fsyncs), the database is reopened on what the operating system's cache holds and the workload goes on
/// (commits durable and buffered, checkpoints, a shrink, a backup), and the power fails, in the reopen or after it,
/// half the time right before or after an fsync or a name change, with every crash mode and with the cache losing
/// exactly what the dead process left unsynced. The long run is tests/Persistence.CrashTorture (<c>--kind process</c>).
/// </summary>
public sealed class ProcessCrashRecoveryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Acknowledged_commits_survive_a_power_failure_after_the_reopen_that_followed_a_process_crash(int seed)
    {
        var scenario = new CrashScenario(seed);
        var random = new Random(seed);
        var modes = new[] { CrashMode.DropUnsynced, CrashMode.TornLast, CrashMode.Reorder, CrashMode.DropBeforeProcessCrash };
        var failures = new List<string>();
        for (var p = 0; p < 24; p++)
        {
            var processAt = scenario.NextProcessCrashPoint(random, p);
            var (after, _) = scenario.CountOperationsAfterProcessCrash(processAt);
            for (var j = 0; j < modes.Length; j++)
            {
                var powerFailAt = scenario.NextPowerFailurePoint(random, processAt, inOpen: j == 0, atBoundary: (p + j) % 2 == 1);
                var mode = modes[(p + j) % modes.Length];
                var outcome = scenario.ExecuteAfterProcessCrash(processAt, powerFailAt, mode);
                if (!outcome.Passed)
                {
                    failures.Add($"seed {seed}, process crash at {processAt}, power fails at {powerFailAt}/{after}, {mode}: {outcome.Detail}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
    }
}
