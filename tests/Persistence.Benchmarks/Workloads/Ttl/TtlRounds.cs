using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads.Ttl;

/// <summary>Helpers the TTL workloads share: fresh subdirectories, medians, merged loops.</summary>
internal static class TtlRounds
{
    /// <summary>A fresh, empty subdirectory of the phase's directory.</summary>
    public static string Fresh(WorkloadContext context, string name)
    {
        var directory = Path.Combine(context.Directory, name);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        return directory;
    }

    public static void Remove(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // the phase directory is deleted at the end anyway
        }
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Several measurements of the same loop as one: operations over the summed time, histograms merged.</summary>
    public static LoopResult Merge(IReadOnlyList<LoopResult> results)
    {
        var histogram = new LatencyHistogram();
        foreach (var result in results)
        {
            histogram.Add(result.All);
        }

        return new LoopResult([histogram], TimeSpan.FromTicks(results.Sum(r => r.Elapsed.Ticks)), results.Sum(r => r.Errors),
            results.Sum(r => r.Retries), results.Sum(r => r.AllocatedBytes));
    }

    /// <summary>Throughput and the standard latencies of a loop.</summary>
    public static List<Metric> Metrics(LoopResult result, string unit)
    {
        var metrics = new List<Metric> { Metric.Rate(result.PerSecond, unit) };
        metrics.AddRange(LatencyMetrics.Of(result.All));
        return metrics;
    }

    public static string Rates(IEnumerable<double> rates) => string.Join(" / ", rates.Select(r => Num.Format(r)));
}
