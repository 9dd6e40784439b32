namespace Persistence.Benchmarks.Peers;

/// <summary>
/// The connection-level setting a workload asks for. BENCHMARKS.md: SQLite runs <c>synchronous=NORMAL</c> for bulk
/// load, reads and YCSB and <c>FULL</c> for the durable workloads. Peers with per-commit durability (ours) ignore it
/// and follow each commit's <see cref="CommitMode"/>.
/// </summary>
internal enum SyncProfile
{
    Normal,
    Full,
}
