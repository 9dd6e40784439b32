namespace Persistence.Benchmarks.Reporting;

/// <summary>One measured number. <paramref name="Name"/> is "throughput" for the primary metric of a variant.</summary>
internal sealed record Metric(string Name, double Value, string Unit, Better Better)
{
    public const string Throughput = "throughput";

    public static Metric Rate(double value, string unit) => new(Throughput, value, unit, Better.Higher);

    public static Metric Micros(string name, double value) => new(name, value, "us", Better.Lower);

    /// <summary>The ratio that is &gt; 1 when <paramref name="ours"/> is better than <paramref name="peer"/>.</summary>
    public static double Ratio(Metric ours, Metric peer) =>
        ours.Better == Better.Higher ? ours.Value / peer.Value : peer.Value / ours.Value;
}
