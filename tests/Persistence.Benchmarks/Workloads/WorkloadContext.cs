using Persistence.Benchmarks.Cli;
using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Workloads;

/// <summary>What every workload needs besides its peer.</summary>
internal sealed record WorkloadContext(BenchmarkSettings Settings, UserFactory Users)
{
    /// <summary>The phase's own directory, where the peer lives; workloads that open stores of their own put them in subdirectories.</summary>
    public string Directory { get; init; } = "";

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
