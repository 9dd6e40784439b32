using Persistence.Benchmarks.Cli;
using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Workloads;

/// <summary>What every workload needs besides its peer.</summary>
internal sealed record WorkloadContext(BenchmarkSettings Settings, UserFactory Users)
{
    /// <summary>
    /// Inserts the first <paramref name="count"/> users (default: the settings' document count) in one transaction,
    /// then checkpoints so that the timed phase starts without a pending checkpoint in any peer. Untimed.
    /// </summary>
    public long Preload(Peers.IPeer peer, long? count = null)
    {
        var documents = count ?? Settings.Documents;
        peer.Preload(new UserBatches(Users, 1, documents));
        peer.Checkpoint();
        return documents;
    }
}
