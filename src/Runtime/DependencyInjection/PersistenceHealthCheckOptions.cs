namespace Persistence.DependencyInjection;

/// <summary>
/// The thresholds past which the Persistence health check reports Degraded (section
/// <c>Persistence:HealthCheck</c>). A database that is read-only, or whose last consistency check failed, is
/// Unhealthy whatever these say.
/// </summary>
public sealed class PersistenceHealthCheckOptions
{
    /// <summary>
    /// Log bytes since the durable checkpoint above which checkpoints are falling behind. Default null: four times the
    /// database's <see cref="PersistenceOptions.CheckpointWalBytes"/> (256 MiB with its default), so that it follows
    /// that setting; when set, it must be above CheckpointWalBytes, where a checkpoint starts.
    /// </summary>
    public long? MaxWalBytesSinceCheckpoint { get; set; }

    /// <summary>The log threshold in force for a database that checkpoints every <paramref name="checkpointWalBytes"/>.</summary>
    internal long MaxWalBytesFor(long checkpointWalBytes) =>
        MaxWalBytesSinceCheckpoint ?? (checkpointWalBytes > long.MaxValue / 4 ? long.MaxValue : 4 * checkpointWalBytes);

    /// <summary>How long a snapshot (an open read transaction or enumeration) may be held before it counts as leaked. Default five minutes.</summary>
    public TimeSpan MaxOldestSnapshotAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Bytes of pages the oldest snapshot may keep from reuse. Default 1 GiB.</summary>
    public long MaxPinnedBytes { get; set; } = 1L << 30;
}
