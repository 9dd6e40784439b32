namespace Persistence.Tests.Storage;

/// <summary>
/// Seeded corruption of a real database's files: one damage per trial (a bit, a byte run, a zeroed or swapped page, a
/// truncated data file; a bit, a byte run or a cut in a log segment), then an open and a read of everything. The
/// promise under test: corruption is detected, never returned as data. Every read returns exactly the committed value
/// or throws a <see cref="PersistenceException"/>; the open succeeds or throws one; nothing hangs. Damage to the log
/// only may end it early (the log ends at the first frame that does not validate), so the state read is then the
/// checkpoint's plus a prefix of the commits after it, never anything else.
/// </summary>
/// <remarks>
/// <c>PERSISTENCE_CORRUPTION_TRIALS</c> sets the trials per template (200 by default) and
/// <c>PERSISTENCE_CORRUPTION_SEED</c> the first seed (1); a failure names its seed, which reproduces it alone.
/// </remarks>
public sealed class CorruptionFuzzTests : IDisposable
{
    private static readonly TimeSpan TrialTimeout = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("persistence-corruption-");

    public void Dispose() => _root.Delete(recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Seeded_corruption_is_detected_or_harmless_never_returned_as_data(bool uncheckpointedLog)
    {
        var template = CorruptionTemplate.Build(Path.Combine(_root.FullName, "template"), uncheckpointedLog);
        var trials = EnvironmentInt("PERSISTENCE_CORRUPTION_TRIALS", 200);
        var first = EnvironmentInt("PERSISTENCE_CORRUPTION_SEED", 1);
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();
        for (var seed = first; seed < first + trials && failures.Count < 10; seed++)
        {
            var (outcome, failure) = RunWithTimeout(template, seed);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (failure is not null)
            {
                failures.Add($"seed {seed}: {failure}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures)
            + Environment.NewLine + string.Join(", ", outcomes.Select(o => $"{o.Key}={o.Value}")));
    }

    private (string Outcome, string? Failure) RunWithTimeout(CorruptionTemplate template, int seed)
    {
        var directory = Path.Combine(_root.FullName, $"trial-{seed}");
        (string, string?) result = ("none", null);
        var trial = TestDatabases.Dedicated(() => result = CorruptionTrial.Run(template, directory, seed));
        if (!trial.Wait(TrialTimeout))
        {
            return ("hang", $"did not finish within {TrialTimeout.TotalSeconds} s ({CorruptionTrial.Describe(template, seed)})");
        }

        Directory.Delete(directory, recursive: true);
        return result;
    }

    private static int EnvironmentInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;
}
