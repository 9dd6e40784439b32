using System.Globalization;

namespace Persistence.Testing;

/// <summary>
/// One crash of a chain (<see cref="CrashScenario.ExecuteWithCrashesInReopens"/>): at storage operation
/// <paramref name="At"/> of its run, the power fails with <paramref name="PowerFailure"/>, or (null) the process dies
/// and the operating system's cache keeps its writes. Written and parsed as <c>At:Mode</c>, the mode a
/// <see cref="CrashMode"/> name or <c>Process</c> (<c>812:Process</c>, <c>14:TornLast</c>).
/// </summary>
public readonly record struct CrashPoint(long At, CrashMode? PowerFailure)
{
    private const string Process = "Process";

    public bool IsProcessCrash => PowerFailure is null;

    /// <summary>Parses a comma-separated chain of crash points, as <see cref="Format"/> writes it; null when malformed.</summary>
    public static IReadOnlyList<CrashPoint>? ParseChain(string text)
    {
        var chain = new List<CrashPoint>();
        foreach (var part in text.Split(','))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !long.TryParse(part.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var at))
            {
                return null;
            }

            var mode = part[(colon + 1)..];
            if (mode == Process)
            {
                chain.Add(new CrashPoint(at, null));
            }
            else if (Enum.TryParse<CrashMode>(mode, out var power) && Enum.IsDefined(power))
            {
                chain.Add(new CrashPoint(at, power));
            }
            else
            {
                return null;
            }
        }

        return chain.Count > 0 ? chain : null;
    }

    /// <summary>The chain as <see cref="ParseChain"/> reads it.</summary>
    public static string Format(IEnumerable<CrashPoint> chain) => string.Join(',', chain);

    public override string ToString() => $"{At.ToString(CultureInfo.InvariantCulture)}:{PowerFailure?.ToString() ?? Process}";
}
