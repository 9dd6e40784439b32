using Persistence.Testing;

namespace Persistence.Tests.Transactions;

/// <summary>
/// The process dies at a few dozen storage operations of the workload (a third of them fsyncs of the data file, a
/// third other fsyncs), the database is reopened on what the operating system's cache holds and the workload goes on
/// (commits durable and buffered, checkpoints, a shrink, a backup), and the power fails, in the reopen or after it,
/// half the time right before or after an fsync or a name change, with every crash mode and with the cache losing
/// exactly what the dead process left unsynced, and right before the reopen first syncs the data file it wrote. The
/// long run is tests/Persistence.CrashTorture (<c>--kind process</c>).
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
                // As the torture draws them: the second right before the reopen first syncs the data file it wrote.
                var powerFailAt = j == 1
                    ? scenario.PowerFailureBeforeFirstDataSync(processAt)
                    : scenario.NextPowerFailurePoint(random, processAt, inOpen: j == 0, atBoundary: (p + j) % 2 == 1);
                var mode = j == 1 ? (p % 2 == 0 ? CrashMode.DropBeforeProcessCrash : CrashMode.Reorder) : modes[(p + j) % modes.Length];
                var outcome = scenario.ExecuteAfterProcessCrash(processAt, powerFailAt, mode);
                if (!outcome.Passed)
                {
                    failures.Add($"seed {seed}, process crash at {processAt}, power fails at {powerFailAt}/{after}, {mode}: {outcome.Detail}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
    }

    /// <summary>
    /// Points the torture printed when the open synced the data file only after its replay: the process dies at the
    /// fsync of a meta page whose checkpoint commits landed during, the reopen replays those commits and writes leaves
    /// to pages that meta page freed, and the power fails before the open syncs the data file, taking the meta page
    /// and keeping the leaves (DropBeforeProcessCrash), or some of both (Reorder).
    /// </summary>
    [Theory]
    [InlineData(2, 822, 7, CrashMode.DropBeforeProcessCrash)]
    [InlineData(2, 822, 10, CrashMode.Reorder)]
    public void A_point_the_torture_printed_runs_alone(int seed, long processAt, long powerFailAt, CrashMode mode)
    {
        var outcome = new CrashScenario(seed, commits: 80).ExecuteAfterProcessCrash(processAt, powerFailAt, mode);
        Assert.True(outcome.Passed, outcome.Detail);
    }
}
