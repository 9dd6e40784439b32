using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Persistence.Benchmarks.Cli;
using Persistence.Benchmarks.Reporting;
using Persistence.Benchmarks.Runner;

// The side-by-side comparison of shared/BENCHMARKS.md: progress goes to stderr, the report (tables, then RESULT
// lines) to stdout. See README.md beside this file. Every number is printed in the invariant culture: the thread
// cultures are set here, and Num formats explicitly. 'micro' as the first argument runs the BenchmarkDotNet
// micro-benchmarks instead (Micro/MicroRunner.cs); 'readme FILE' prints the root README's table from a saved run;
// 'recovery [N]' measures the memory of replaying one large commit (Runner/RecoveryProbe.cs); 'alloc [OPERATION]
// [COUNT]' what one typed operation allocates, by type (Runner/AllocationProbe.cs).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args is ["micro", .. var microArgs])
{
    return Persistence.Benchmarks.Micro.MicroRunner.Run(microArgs);
}

if (args is ["recovery", .. var recoveryArgs])
{
    return Persistence.Benchmarks.Runner.RecoveryProbe.Run(recoveryArgs);
}

if (args is ["alloc", .. var allocArgs])
{
    return Persistence.Benchmarks.Runner.AllocationProbe.Run(allocArgs);
}

if (args is ["readme", .. var readmeArgs])
{
    return Persistence.Benchmarks.Reporting.ReadmeTable.Run(readmeArgs);
}

var wall = Stopwatch.StartNew();
var options = BenchmarkOptions.Parse(args, out var error);
if (options is null)
{
    if (!string.IsNullOrEmpty(error))
    {
        Console.Error.WriteLine($"error: {error}");
    }

    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return string.IsNullOrEmpty(error) ? 0 : 2;
}

var settings = options.Settings();
var workloads = options.SelectWorkloads();
foreach (var dropped in options.DroppedByQuick())
{
    Console.Error.WriteLine($"note: {dropped} runs in full mode only (it does not fit --quick's 60 s budget); left out");
}

var peers = options.SelectPeers();
var root = Path.Combine(options.Temp ?? Path.GetTempPath(), $"persistence-bench-{Environment.ProcessId}");
Directory.CreateDirectory(root);
var runner = new BenchmarkRunner(settings, workloads, peers, root, options.Rounds, Console.Error);
IReadOnlyList<PhaseResult> phases;
try
{
    phases = runner.Run();
}
finally
{
    Directory.Delete(root, recursive: true);
}

Console.WriteLine($"Persistence side-by-side benchmark ({(settings.Quick ? "quick" : "full")} mode)");
Console.WriteLine($"  machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, SQLite {Persistence.Benchmarks.Peers.Sqlite.SqliteSetup.Version()}");
Console.WriteLine($"  N = {settings.Documents:N0} documents; timed writes {settings.WriteDuration.TotalSeconds} s, reads {settings.ReadDuration.TotalSeconds} s, warm-up {settings.Warmup.TotalSeconds} s (reads: until steady, at most {settings.MaxWarmup.TotalSeconds} s); seed {settings.Seed}");
if (options.Rounds > 1)
{
    Console.WriteLine($"  {options.Rounds} rounds of every workload, the peers alternating in each; every figure below is the median over the rounds");
}

Console.WriteLine($"  temp root {root} (deleted); peak memory: {runner.MemoryMethod}");
foreach (var skipped in runner.Skipped)
{
    Console.WriteLine($"  peer {skipped}");
}

foreach (var workload in workloads)
{
    Console.WriteLine($"  {workload.Id,-7} {workload.Title}");
}

var report = new ReportWriter(phases, Console.Out);
report.WriteTables();
report.WriteResultLines();
Console.WriteLine();
Console.WriteLine($"wall time: {Num.Fixed(wall.Elapsed.TotalSeconds, 1)} s");
return phases.Any(p => p.Failure is not null) ? 1 : 0;
