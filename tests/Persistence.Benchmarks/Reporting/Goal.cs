namespace Persistence.Benchmarks.Reporting;

/// <summary>
/// A target a variant is expected to meet (the TTL issue's): met when the ratio of its primary metric to its
/// <see cref="Reference"/> (ratio &gt; 1 favours us, as in the RESULT lines), or without a reference the primary value
/// itself, is at least <paramref name="Minimum"/>. <paramref name="Text"/> says it in words for the report.
/// </summary>
internal sealed record Goal(double Minimum, string Text)
{
    /// <summary>The figure compared with <see cref="Minimum"/>.</summary>
    public static double Measure(VariantResult variant) =>
        variant.Reference is { } reference ? Metric.Ratio(variant.Primary, reference.Primary) : variant.Primary.Value;

    public bool IsMet(VariantResult variant) => Measure(variant) >= Minimum;
}
