namespace Persistence.Benchmarks.Peers;

/// <summary>
/// How a peer opens its store of expiring users (<see cref="IPeer.OpenExpiringStore"/>): the clock expiry is measured
/// on, and the collector's settings. Ours maps them onto <see cref="TtlOptions"/>; SQLite's collector loop
/// (batched <c>DELETE</c> on the ExpiresAt index) follows the same batch size and the same pacing.
/// </summary>
/// <param name="Clock">Wall time for expiry (T2 moves it forward to expire one group of documents at a time).</param>
/// <param name="BatchSize">Documents removed per transaction (<see cref="TtlOptions.BatchSize"/>).</param>
/// <param name="MaxCollectorShare">The collector's busy share while it works (<see cref="TtlOptions.MaxCollectorShare"/>): after each batch it pauses so that it is busy at most this fraction of the time.</param>
/// <param name="RunCollectorInBackground">Ours: run the engine's own collector loop (<see cref="TtlOptions.RunCollectorInBackground"/>); false when the workload drives the collector.</param>
internal sealed record ExpiringStoreSettings(TimeProvider Clock, int BatchSize, double MaxCollectorShare, bool RunCollectorInBackground)
{
    /// <summary>The engine's defaults, on the system clock, with the collector running on its own: how an application runs.</summary>
    public static ExpiringStoreSettings Defaults { get; } = new(TimeProvider.System, new TtlOptions().BatchSize, new TtlOptions().MaxCollectorShare, RunCollectorInBackground: true);
}
