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
        var failures = PowerFailuresAfterTheReopen(new CrashScenario(seed), seed, points: 24, turn: p => p, "process crash");
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

    /// <summary>
    /// The torture's failed-fsync kind (<c>--kind failedsync</c>): an fsync fails as Linux fails one (the writes it was
    /// to make durable stay readable in the cache marked clean, and no later fsync writes them), the database turns
    /// read-only, a new process reopens on what the cache holds, still or after dropping those writes, works on, and the
    /// power fails. An open that trusted those bytes without writing them again lost acknowledged commits here.
    /// </summary>
    [Theory]
    [InlineData(1, FailedSyncRestart.Cached)]
    [InlineData(2, FailedSyncRestart.Evicted)]
    public void Acknowledged_commits_survive_a_power_failure_after_the_restart_that_followed_a_failed_fsync(int seed, FailedSyncRestart restart)
    {
        // In turn: the data file's fsync, another, a meta page's whose checkpoint commits landed during, another.
        int[] turns = [1, 2, 4, 2];
        var scenario = new CrashScenario(seed, commits: 80) { FailSyncAtProcessCrash = restart };
        var failures = PowerFailuresAfterTheReopen(scenario, seed, points: 16, turn: p => turns[p % turns.Length], "failed fsync");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
    }

    /// <summary>
    /// Points the failed-fsync kind printed before the open wrote back what it recovered: a failed sync of the log whose
    /// frames the restart chained its durable commits onto (143), and of a checkpoint's meta page that the restart
    /// worked from, reusing the pages of the checkpoint before it (838).
    /// </summary>
    [Theory]
    [InlineData(1, 143, 144, CrashMode.DropUnsynced)]
    [InlineData(1, 838, 24, CrashMode.Reorder)]
    public void A_failed_fsync_point_the_torture_printed_runs_alone(int seed, long failedAt, long powerFailAt, CrashMode mode)
    {
        var scenario = new CrashScenario(seed, commits: 80) { FailSyncAtProcessCrash = FailedSyncRestart.Cached };
        var outcome = scenario.ExecuteAfterProcessCrash(failedAt, powerFailAt, mode);
        Assert.True(outcome.Passed, outcome.Detail);
    }

    /// <summary>
    /// Four power failures after the reopen that follows each of <paramref name="points"/> first points, drawn as the
    /// torture draws them (the second right before the reopen first syncs the data file it wrote); the failures found.
    /// </summary>
    private static List<string> PowerFailuresAfterTheReopen(CrashScenario scenario, int seed, int points, Func<int, int> turn, string first)
    {
        var random = new Random(seed);
        var modes = new[] { CrashMode.DropUnsynced, CrashMode.TornLast, CrashMode.Reorder, CrashMode.DropBeforeProcessCrash };
        var failures = new List<string>();
        for (var p = 0; p < points; p++)
        {
            var processAt = scenario.NextProcessCrashPoint(random, turn(p));
            var (after, _) = scenario.CountOperationsAfterProcessCrash(processAt);
            for (var j = 0; j < modes.Length; j++)
            {
                var powerFailAt = j == 1
                    ? scenario.PowerFailureBeforeFirstDataSync(processAt)
                    : scenario.NextPowerFailurePoint(random, processAt, inOpen: j == 0, atBoundary: (p + j) % 2 == 1);
                var mode = j == 1 ? (p % 2 == 0 ? CrashMode.DropBeforeProcessCrash : CrashMode.Reorder) : modes[(p + j) % modes.Length];
                var outcome = scenario.ExecuteAfterProcessCrash(processAt, powerFailAt, mode);
                if (!outcome.Passed)
                {
                    failures.Add($"seed {seed}, {first} at {processAt}, power fails at {powerFailAt}/{after}, {mode}: {outcome.Detail}");
                }
            }
        }

        return failures;
    }
}
