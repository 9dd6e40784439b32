using Persistence.Diagnostics;

namespace Persistence.Tests.Diagnostics;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_are_within_a_bucket_of_the_exact_values()
    {
        var histogram = new LatencyHistogram();
        var random = new Random(1);
        var samples = Enumerable.Range(0, 100_000).Select(_ => TimeSpan.FromTicks((long)(Math.Exp(random.NextDouble() * 12) * 10))).ToList();
        samples.ForEach(histogram.Record);
        samples.Sort();
        foreach (var fraction in new[] { 0.5, 0.9, 0.99, 0.999 })
        {
            var exact = samples[(int)Math.Ceiling(fraction * samples.Count) - 1].Ticks;
            var estimate = histogram.Percentile(fraction).Ticks;
            Assert.InRange(estimate, exact, exact * 1.1 + 10);
        }

        Assert.Equal(samples[^1], histogram.Max);
        Assert.Equal(samples.Count, histogram.Count);
        Assert.Equal(TimeSpan.Zero, new LatencyHistogram().Percentile(0.5));
    }
}
