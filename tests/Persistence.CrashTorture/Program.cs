using System.Diagnostics;
using System.Globalization;
using Persistence.Testing;

// Runs crash scenarios until the requested number of crash points has been tried, spread over workloads with
// different seeds, each crash rebooted with every crash mode in turn. Details of failures go to stderr; the last
// line on stdout is the summary.
Persistence.Storage.PagePool.Poison = true; // a page read after its buffer was recycled shows garbage, and fails a check
var points = 10_000;
var firstSeed = 1;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--points":
            points = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--seed":
            firstSeed = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine("usage: Persistence.CrashTorture [--points N] [--seed S]");
            return 2;
    }
}

var modes = new[] { CrashMode.DropUnsynced, CrashMode.TornLast, CrashMode.Reorder };
var concurrentPoints = points / 5; // a fifth of the points: concurrent committers with background checkpoints
points -= concurrentPoints;
long scenarios = 0, lost = 0, partial = 0, checks = 0;
var stopwatch = Stopwatch.StartNew();
var seed = firstSeed;
while (scenarios < points)
{
    var scenario = new CrashScenario(seed, commits: 80);
    var total = scenario.CountOperations();
    var random = new Random(seed);
    var perSeed = (int)Math.Min(points - scenarios, Math.Max(50, total));
    for (var i = 0; i < perSeed; i++)
    {
        var crashAt = perSeed >= total ? i % (total + 1) : random.NextInt64(total + 1);
        var mode = modes[i % modes.Length];
        var outcome = scenario.Execute(crashAt, mode);
        scenarios++;
        if (!outcome.Passed)
        {
            lost += outcome.AcknowledgedLost ? 1 : 0;
            partial += outcome.PartialVisible ? 1 : 0;
            checks += outcome.CheckFailed ? 1 : 0;
            Console.Error.WriteLine($"seed {seed} crash at {crashAt}/{total} {mode}: {outcome.Detail}");
        }
    }

    Console.Error.WriteLine($"seed {seed}: {scenarios} scenarios so far, {stopwatch.Elapsed.TotalSeconds:F0} s");
    seed++;
}

var concurrentRandom = new Random(firstSeed);
for (var i = 0; i < concurrentPoints; i++)
{
    var crashAt = concurrentRandom.NextInt64(10, 800);
    var mode = modes[i % modes.Length];
    var outcome = ConcurrentCrashScenario.Execute(firstSeed + i, crashAt, mode);
    scenarios++;
    if (!outcome.Passed)
    {
        lost += outcome.AcknowledgedLost ? 1 : 0;
        partial += outcome.PartialVisible ? 1 : 0;
        checks += outcome.CheckFailed ? 1 : 0;
        Console.Error.WriteLine($"concurrent seed {firstSeed + i} crash at {crashAt} {mode}: {outcome.Detail}");
    }

    if (i % 200 == 199)
    {
        Console.Error.WriteLine($"concurrent: {i + 1} scenarios, {stopwatch.Elapsed.TotalSeconds:F0} s");
    }
}

Console.WriteLine($"crash scenarios: {scenarios}, acknowledged commits lost: {lost}, partial transactions visible: {partial}, check failures: {checks}");
return lost + partial + checks == 0 ? 0 : 1;
