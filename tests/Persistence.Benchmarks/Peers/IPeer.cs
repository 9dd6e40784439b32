using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;

namespace Persistence.Benchmarks.Peers;

/// <summary>
/// One system under comparison, opened on a fresh directory for one workload and disposed afterwards. Threads talk to
/// it through their own <see cref="IPeerSession"/> (a SQLite connection each, for instance).
/// </summary>
internal interface IPeer : IDisposable
{
    /// <summary>The name in the report and on the command line.</summary>
    string Name { get; }

    /// <summary>
    /// True for a peer whose code takes seconds of running to reach steady speed (EF Core: a large code base that the
    /// JIT recompiles at tier 1 bit by bit); the first read measurement of each phase warms up for at least the settings'
    /// long warm-up.
    /// </summary>
    bool NeedsLongWarmup { get; }

    /// <summary>True for a peer whose sessions also run W6 through a query builder (<see cref="IPeerSession.QueryAgeWithBuilder"/>).</summary>
    bool HasQueryBuilder => false;

    /// <summary>Creates the schema if needed and inserts every user of <paramref name="users"/> in one transaction, maintaining both indexes.</summary>
    void Load(UserBatches users);

    /// <summary>
    /// Fills the store before a read workload, untimed. The same as <see cref="Load"/> unless the peer has a faster way
    /// to reach the identical state (EF Core: plain SQL into its own schema, as its AddRange path only slows the setup).
    /// </summary>
    void Preload(UserBatches users) => Load(users);

    /// <summary>Moves everything committed into the data file (a WAL checkpoint), so that disk usage and reads start from a settled state.</summary>
    void Checkpoint();

    /// <summary>What the peer uses on disk now.</summary>
    DiskUsage MeasureDisk();

    /// <summary>What the bytes on disk are made of (ours: each tree's pages, fill and key and value bytes), or null.</summary>
    string? DescribeSpace() => null;

    /// <summary>Engine counters worth reading next to the results (commits per log batch, cache hits), or empty.</summary>
    string Diagnostics();

    /// <summary>A session for the calling thread. Not thread-safe; one per thread.</summary>
    IPeerSession OpenSession();

    /// <summary>
    /// Opens (creating it the first time) the peer's store of expiring users in its directory, beside its users (T2).
    /// Peers without one throw <see cref="NotSupportedException"/>; the workload catalog never asks them.
    /// </summary>
    IExpiringStore OpenExpiringStore(ExpiringStoreSettings settings) => throw new NotSupportedException($"{Name} has no store of expiring documents.");
}
