using Persistence.Benchmarks.Peers.DiskFloor;
using Persistence.Benchmarks.Peers.EfCore;
using Persistence.Benchmarks.Peers.Lmdb;
using Persistence.Benchmarks.Peers.PersistenceKv;
using Persistence.Benchmarks.Peers.PersistenceTyped;
using Persistence.Benchmarks.Peers.Sqlite;

namespace Persistence.Benchmarks.Peers;

/// <summary>
/// Every peer the runner knows, in the order each workload runs them. SQLite comes first: it is the yardstick every
/// ratio is computed against.
/// </summary>
/// <remarks>
/// <c>persistence-kv</c> (our engine at the key-value level, with a hand-written serializer) runs only when named: with
/// it, the typed layer's cost over the engine shows in its RESULT lines. LMDB is skipped, with the reason in the report,
/// when liblmdb.so.0 is missing. <c>disk-floor</c> is no database: it times the disk's own sync under W2 and W3.
/// </remarks>
internal static class PeerCatalog
{
    public static IReadOnlyList<PeerDescriptor> All { get; } =
    [
        SqlitePeer.Descriptor,
        PersistenceTypedPeer.Descriptor,
        PersistenceKvPeer.Descriptor,
        EfCorePeer.Descriptor,
        LmdbPeer.Descriptor,
        DiskFloorPeer.Descriptor,
    ];

    /// <summary>The name of our own peer: the numerator of every ratio.</summary>
    public const string Ours = PersistenceTypedPeer.PeerName;
}
