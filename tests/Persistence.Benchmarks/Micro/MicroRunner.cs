using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Persistence.Benchmarks.Micro;

/// <summary>
/// The BenchmarkDotNet entry point (<c>-- micro [BenchmarkDotNet args]</c>): the hot paths of the engine and of the
/// typed layer, one class per path. The default job is short (3 warm-up and 5 measured iterations, one launch, in
/// process) so that the whole set runs in a few minutes; pass BenchmarkDotNet's own options (<c>--filter *Cursor*</c>,
/// <c>--job default</c>) to narrow or lengthen it. Allocations are reported per operation.
/// </summary>
internal static class MicroRunner
{
    public static int Run(string[] args)
    {
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(5)
                .WithId("short"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared))
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "persistence-micro"))
            .WithOptions(ConfigOptions.JoinSummary);
        var filter = args.Length == 0 ? ["--filter", "*"] : args;
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroRunner).Assembly).Run(filter, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
