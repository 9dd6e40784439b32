using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads;

/// <summary>The standard latency metrics of a histogram: p50, p99, p99.9 and max, in microseconds.</summary>
internal static class LatencyMetrics
{
    public static IEnumerable<Metric> Of(LatencyHistogram histogram, string prefix = "")
    {
        yield return Metric.Micros(prefix + "p50", histogram.PercentileMicros(0.50));
        yield return Metric.Micros(prefix + "p99", histogram.PercentileMicros(0.99));
        yield return Metric.Micros(prefix + "p99.9", histogram.PercentileMicros(0.999));
        yield return Metric.Micros(prefix + "max", histogram.MaxMicros);
    }

    public static string Counters(LoopResult result) =>
        $"{result.Operations} ops in {Num.Fixed(result.Elapsed.TotalSeconds, 2)} s, {Num.Fixed(result.AllocatedPerOperation, 0)} B allocated/op" +
        (result.Retries > 0 ? $", {result.Retries} retried" : "") +
        (result.Errors > 0 ? $", {result.Errors} WRONG ANSWERS" : "");
}
