using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers.PersistenceKv;

namespace Persistence.Benchmarks.Peers.Lmdb;

/// <summary>
/// LMDB, the speed anchor (shared/BENCHMARKS.md): one environment file (<c>users.mdb</c>, MDB_NOSUBDIR) with three
/// named databases laid out like our key-value peer (<see cref="UserKeys"/>): <c>users</c> (Int64 key, the User
/// serialized by our generated schema, about 100 bytes), <c>users.email</c> (unique, value the Id key) and
/// <c>users.age</c> (Age + Id, empty value). Both indexes are maintained on every insert, as ours and SQLite's are.
/// Default durability: every commit syncs (MDB's default, no NOSYNC/NOMETASYNC). Runs W1, W2, W4, W5, W6 and W8; its reads
/// return raw bytes copied out of the map, not materialized objects (see <see cref="LmdbSession"/>). W10 is left
/// out: LMDB reads through the OS page cache, which cannot be held to 256 MiB as the other peers' caches are.
/// </summary>
internal sealed class LmdbPeer : IPeer
{
    public const string PeerName = "lmdb";

    /// <summary>Virtual address space reserved for the map: enough for 10M users with both indexes.</summary>
    private static readonly nuint MapSize = (nuint)Math.Min(64UL << 30, nuint.MaxValue);

    private readonly string _directory;
    private readonly string _path;
    private nint _env;

    public LmdbPeer(string directory)
    {
        _directory = directory;
        _path = Path.Combine(directory, "users.mdb");
        LmdbException.Check(LmdbNative.EnvCreate(out _env), "mdb_env_create");
        try
        {
            LmdbException.Check(LmdbNative.EnvSetMapSize(_env, MapSize), "mdb_env_set_mapsize");
            LmdbException.Check(LmdbNative.EnvSetMaxDbs(_env, 4), "mdb_env_set_maxdbs");
            LmdbException.Check(LmdbNative.EnvOpen(_env, _path, LmdbNative.NoSubdirectory | LmdbNative.NoThreadLocalStorage, 0b110_100_100), "mdb_env_open");
            LmdbException.Check(LmdbNative.TxnBegin(_env, 0, 0, out var txn), "mdb_txn_begin");
            try
            {
                Users = OpenDatabase(txn, UserKeys.Users);
                ByEmail = OpenDatabase(txn, UserKeys.ByEmail);
                ByAge = OpenDatabase(txn, UserKeys.ByAge);
            }
            catch
            {
                LmdbNative.TxnAbort(txn);
                throw;
            }

            LmdbException.Check(LmdbNative.TxnCommit(txn), "mdb_txn_commit");
        }
        catch
        {
            LmdbNative.EnvClose(_env);
            throw;
        }
    }

    public static PeerDescriptor Descriptor { get; } = new(
        PeerName, workload => workload is "W1" or "W2" or "W4" or "W5" or "W6" or "W8", (directory, _) => new LmdbPeer(directory))
    {
        Unavailable = LmdbNative.Unavailable,
    };

    public string Name => PeerName;

    public bool NeedsLongWarmup => false;

    public nint Environment => _env;

    public uint Users { get; }

    public uint ByEmail { get; }

    public uint ByAge { get; }

    public void Load(UserBatches users)
    {
        using var session = CreateSession();
        session.Load(users);
    }

    /// <summary>Every commit is already synced; this forces the meta page out as well.</summary>
    public void Checkpoint() => LmdbException.Check(LmdbNative.EnvSync(_env, 1), "mdb_env_sync");

    public DiskUsage MeasureDisk() => DiskUsage.Measure(_path, _directory);

    public string Diagnostics() => "raw bytes: reads copy the stored value out of the map and do not deserialize it";

    public IPeerSession OpenSession() => CreateSession();

    public void Dispose()
    {
        if (_env != 0)
        {
            LmdbNative.EnvClose(_env);
            _env = 0;
        }
    }

    private LmdbSession CreateSession() => new(this);

    private static uint OpenDatabase(nint txn, string name)
    {
        LmdbException.Check(LmdbNative.DbiOpen(txn, name, LmdbNative.Create, out var dbi), "mdb_dbi_open");
        return dbi;
    }
}
