using System.Globalization;

namespace Persistence.Benchmarks.Reporting;

/// <summary>Invariant-culture number formatting for every figure the runner prints.</summary>
internal static class Num
{
    /// <summary>One decimal from 100 up, three below: enough for ratios and microseconds alike.</summary>
    public static string Format(double value) =>
        double.IsFinite(value)
            ? value.ToString(Math.Abs(value) >= 100 ? "0.#" : "0.###", CultureInfo.InvariantCulture)
            : "nan";

    public static string Fixed(double value, int decimals) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string MiB(long bytes) => Fixed(bytes / (1024.0 * 1024.0), 1);
}
