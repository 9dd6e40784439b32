using Persistence.Testing;

namespace Persistence.Tests.Transactions;

/// <summary>
/// Crashes inside the reopen: a first crash in the workload (a power failure or a process crash, a third of them right
/// after a large commit, whose replay writes leaves out early), then one to three crashes, each in the reopen on what
/// the one before left (recovery, the checkpoint after it, the close), and a last open that must hold every commit the
/// crashes could not take and no partial one. The long run is tests/Persistence.CrashTorture (<c>--kind recovery</c>).
/// </summary>
public sealed class RecoveryCrashTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Crashes_in_the_reopen_and_in_the_reopen_after_it_lose_no_acknowledged_commit(int seed)
    {
        var scenario = new CrashScenario(seed);
        var random = new Random(seed);
        var failures = new List<string>();
        var inSpillingRecovery = 0;
        for (var f = 0; f < 8; f++)
        {
            var first = scenario.NextFirstCrash(random, f);
            for (var k = 0; k < 4; k++)
            {
                var chain = new List<CrashPoint> { first };
                for (var d = 0; d < 1 + (k % 3) && scenario.CountReopen(chain) is { } reopen; d++)
                {
                    var crash = CrashScenario.NextCrashInReopen(random, reopen, k + d);
                    inSpillingRecovery += crash.At < reopen.Open && reopen.LeavesWritten > 0 ? 1 : 0;
                    chain.Add(crash);
                }

                var outcome = scenario.ExecuteWithCrashesInReopens(chain);
                if (!outcome.Passed)
                {
                    failures.Add($"seed {seed}, crashes {CrashPoint.Format(chain)}: {outcome.Detail}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
        Assert.True(inSpillingRecovery > 0, "no crash landed in a recovery that wrote leaves out early");
    }

    /// <summary>Chains the torture printed: the engine bug of <c>Regressions/DiscardedTailTests</c>, and a power failure in the open after a process crash, which may take the buffered commits the dead process left unsynced.</summary>
    [Theory]
    [InlineData(12, "66:DropUnsynced,2:Process,1:DropBeforeProcessCrash")]
    [InlineData(1, "581:Process,14:TornLast")]
    public void A_chain_the_torture_printed_runs_alone(int seed, string chain)
    {
        var outcome = new CrashScenario(seed, commits: 80).ExecuteWithCrashesInReopens(CrashPoint.ParseChain(chain)!);
        Assert.True(outcome.Passed, outcome.Detail);
    }

    [Fact]
    public void Crash_chains_read_back_as_written()
    {
        var chain = new[] { new CrashPoint(812, null), new CrashPoint(14, CrashMode.TornLast), new CrashPoint(0, CrashMode.DropBeforeProcessCrash) };
        Assert.Equal("812:Process,14:TornLast,0:DropBeforeProcessCrash", CrashPoint.Format(chain));
        Assert.Equal(chain, CrashPoint.ParseChain(CrashPoint.Format(chain)));
        Assert.Null(CrashPoint.ParseChain("812"));
        Assert.Null(CrashPoint.ParseChain("812:Sideways"));
        Assert.Null(CrashPoint.ParseChain("-1:Process"));
    }
}
