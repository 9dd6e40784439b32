using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads;

/// <summary>
/// One workload of shared/BENCHMARKS.md. The runner opens each peer on a fresh directory with <see cref="Profile"/>,
/// calls <see cref="Run"/>, and disposes the peer; one instance may run several variants (thread counts) on that one
/// directory.
/// </summary>
internal interface IWorkload
{
    /// <summary>Unique among phases, names the directory: "W3-16w".</summary>
    string Id { get; }

    /// <summary>The workload as BENCHMARKS.md numbers it, used by <c>--workload</c> and by peers' support: "W3".</summary>
    string Family { get; }

    string Title { get; }

    SyncProfile Profile { get; }

    /// <summary>True for workloads that run only when named on the command line (W10, which is long).</summary>
    bool ExplicitOnly { get; }

    /// <summary>True for workloads that <c>--quick</c> leaves out because they do not fit its 60 s budget (W10, T1-T3).</summary>
    bool FullModeOnly => ExplicitOnly;

    /// <summary>
    /// True for workloads that open their own stores in <see cref="WorkloadContext.Directory"/> (T1, T3: several
    /// configurations of ours, fresh or reopened); the peer the runner opened stays empty, and its counters are not
    /// reported (the variants' notes carry the stores' own).
    /// </summary>
    bool OwnStores => false;

    /// <summary>
    /// Documents that a throw-away store of the peer loads (<see cref="IPeer.Load"/>) before the measured one is opened,
    /// untimed, so that a load measured once, from a cold process, measures code the JIT has finished optimizing, as the
    /// read workloads' warm-ups do (0: none).
    /// </summary>
    long WarmupDocuments(WorkloadContext context) => 0;

    IReadOnlyList<VariantResult> Run(IPeer peer, WorkloadContext context);
}
