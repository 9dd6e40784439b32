using Microsoft.Data.Sqlite;
using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;

namespace Persistence.Benchmarks.Peers.Sqlite;

/// <summary>
/// SQLite through Microsoft.Data.Sqlite, the main yardstick, set up as well as it can be (<see cref="SqliteSetup"/>):
/// prepared, reused commands with typed parameters, explicit transactions, one connection per thread.
/// </summary>
internal sealed class SqlitePeer : IPeer
{
    public const string PeerName = "sqlite";

    private readonly string _directory;
    private readonly string _path;
    private readonly SyncProfile _profile;
    private readonly SqliteConnection _main;

    public SqlitePeer(string directory, SyncProfile profile)
    {
        _directory = directory;
        _path = Path.Combine(directory, "users.sqlite");
        _profile = profile;
        _main = SqliteSetup.Open(_path, profile);
        SqliteSetup.Execute(_main, SqliteSetup.CreateSchema);
    }

    /// <summary>Every W workload, and T2 (the collector: SQLite's batched DELETE); T1 and T3 compare our own configurations.</summary>
    public static PeerDescriptor Descriptor { get; } = new(PeerName, workload => workload[0] == 'W' || workload == "T2", (directory, profile) => new SqlitePeer(directory, profile));

    public string Name => PeerName;

    public bool NeedsLongWarmup => false;

    public void Load(UserBatches users)
    {
        using var session = new SqliteSession(_main, ownsConnection: false, _profile);
        session.Load(users);
    }

    public void Checkpoint() => SqliteSetup.Checkpoint(_main);

    public DiskUsage MeasureDisk() => DiskUsage.Measure(_path, _directory);

    public string Diagnostics() => "";

    public IPeerSession OpenSession() => new SqliteSession(SqliteSetup.Open(_path, _profile), ownsConnection: true, _profile);

    public IExpiringStore OpenExpiringStore(ExpiringStoreSettings settings) => new SqliteExpiringStore(_directory, settings);

    public void Dispose() => _main.Dispose();
}
