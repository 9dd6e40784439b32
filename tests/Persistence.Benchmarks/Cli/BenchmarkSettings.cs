namespace Persistence.Benchmarks.Cli;

/// <summary>
/// Sizes and durations. Full mode is what we quote: 1,000,000 documents, 10 s per durable-commit measurement, 5 s per
/// read measurement. Quick mode runs the whole comparison (all peers, W1-W9) in well under 60 s on the project's
/// 2-core machine: 30,000 documents and about a second per measurement (EF Core's reads warm up for 2 s).
/// </summary>
internal sealed record BenchmarkSettings
{
    public required bool Quick { get; init; }

    /// <summary>Documents for W1 and in the preloaded set of the read workloads.</summary>
    public required long Documents { get; init; }

    /// <summary>Documents for W10.</summary>
    public required long ScaleDocuments { get; init; }

    /// <summary>Length of each timed write measurement (W2, W3, W7, W9).</summary>
    public required TimeSpan WriteDuration { get; init; }

    /// <summary>Length of each timed read measurement (W4, W5, W6, W8).</summary>
    public required TimeSpan ReadDuration { get; init; }

    /// <summary>Untimed operations before each timed measurement (JIT, caches): the fixed warm-up of write workloads and the minimum of read workloads.</summary>
    public required TimeSpan Warmup { get; init; }

    /// <summary>The longest adaptive warm-up of a read measurement (<see cref="Measurement.Warmup"/>).</summary>
    public required TimeSpan MaxWarmup { get; init; }

    /// <summary>The minimum warm-up of read measurements on peers that need a long one (<see cref="Peers.IPeer.NeedsLongWarmup"/>).</summary>
    public required TimeSpan LongWarmup { get; init; }

    /// <summary>
    /// The warm-up of a read measurement: adaptive, until throughput is steady. <paramref name="jitCold"/> asks for the
    /// long minimum, for the first measurement of a phase on a peer that needs it; later ones in the phase find the
    /// code already compiled (the JIT's work is process-wide).
    /// </summary>
    public Measurement.Warmup ReadWarmup(bool jitCold) =>
        new(jitCold ? LongWarmup : Warmup, jitCold ? MaxWarmup + LongWarmup : MaxWarmup);

    /// <summary>The warm-up of write measurements: fixed.</summary>
    public Measurement.Warmup WriteWarmup => Measurement.Warmup.Fixed(Warmup);

    /// <summary>The data set's seed: the same documents for every peer.</summary>
    public ulong Seed { get; init; } = 20_240_601;

    public static BenchmarkSettings Full { get; } = new()
    {
        Quick = false,
        Documents = 1_000_000,
        ScaleDocuments = 10_000_000,
        WriteDuration = TimeSpan.FromSeconds(10),
        ReadDuration = TimeSpan.FromSeconds(5),
        Warmup = TimeSpan.FromSeconds(1),
        MaxWarmup = TimeSpan.FromSeconds(10),
        LongWarmup = TimeSpan.FromSeconds(10),
    };

    public static BenchmarkSettings QuickMode { get; } = new()
    {
        Quick = true,
        Documents = 30_000,
        ScaleDocuments = 30_000,
        WriteDuration = TimeSpan.FromSeconds(1),
        ReadDuration = TimeSpan.FromSeconds(0.75),
        Warmup = TimeSpan.FromSeconds(0.25),
        MaxWarmup = TimeSpan.FromSeconds(1.5),
        LongWarmup = TimeSpan.FromSeconds(2),
    };
}
