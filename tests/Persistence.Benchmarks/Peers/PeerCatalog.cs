using Persistence.Benchmarks.Peers.EfCore;
using Persistence.Benchmarks.Peers.PersistenceKv;
using Persistence.Benchmarks.Peers.Sqlite;

namespace Persistence.Benchmarks.Peers;

/// <summary>
/// Every peer the runner knows, in the order each workload runs them. SQLite comes first: it is the yardstick every
/// ratio is computed against.
/// </summary>
/// <remarks>
/// LMDB is the next peer (shared/BENCHMARKS.md: Debian's liblmdb0 through a thin P/Invoke layer inside this project).
/// To add it: a <c>Peers/Lmdb/</c> folder with the P/Invoke declarations, an <c>LmdbPeer</c> implementing
/// <see cref="IPeer"/> (one environment, a named database per keyspace, the same <c>UserKeys</c> layouts and MessagePack
/// documents as <see cref="PersistenceKvPeer"/>), and one line here. Nothing else in the runner changes.
/// </remarks>
internal static class PeerCatalog
{
    public static IReadOnlyList<PeerDescriptor> All { get; } =
    [
        SqlitePeer.Descriptor,
        PersistenceKvPeer.Descriptor,
        EfCorePeer.Descriptor,
    ];

    /// <summary>The name of our own peer: the numerator of every ratio.</summary>
    public const string Ours = PersistenceKvPeer.PeerName;
}
