using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;

namespace Persistence.Benchmarks.Peers.PersistenceKv;

/// <summary>
/// Persistence at the key-value level (<c>persistence-kv</c>, run only when named): three keyspaces
/// (<see cref="UserKeys"/>) and a hand-written MessagePack serializer (<see cref="UserDocument"/>), what the typed
/// collection does, written by hand. Beside our typed peer it shows what the typed layer costs over the engine.
/// Opened like the typed peer: a 256 MiB page cache and the default page size; durability is chosen per commit.
/// </summary>
internal sealed class PersistenceKvPeer : IPeer
{
    public const string PeerName = "persistence-kv";

    private readonly string _directory;
    private readonly string _path;
    private readonly Database _database;
    private readonly Keyspace _users;
    private readonly Keyspace _byEmail;
    private readonly Keyspace _byAge;

    public PersistenceKvPeer(string directory)
    {
        _directory = directory;
        _path = Path.Combine(directory, "users.db");
        _database = Database.Open(_path, new DatabaseOptions { PageCacheBytes = 256L << 20 });
        using var transaction = _database.BeginWrite(Durability.Durable);
        _users = transaction.GetOrCreateKeyspace(UserKeys.Users);
        _byEmail = transaction.GetOrCreateKeyspace(UserKeys.ByEmail);
        _byAge = transaction.GetOrCreateKeyspace(UserKeys.ByAge);
        transaction.Commit();
    }

    public static PeerDescriptor Descriptor { get; } = new(PeerName, workload => workload[0] == 'W', (directory, _) => new PersistenceKvPeer(directory)) { InDefaultRun = false };

    public string Name => PeerName;

    public bool NeedsLongWarmup => false;

    public void Load(UserBatches users)
    {
        using var session = CreateSession();
        session.Load(users);
    }

    public void Checkpoint() => _database.Checkpoint();

    public DiskUsage MeasureDisk() => DiskUsage.Measure(_path, _directory);

    public string Diagnostics() => PersistenceTyped.EngineCounters.Describe(_database);

    public IPeerSession OpenSession() => CreateSession();

    public void Dispose() => _database.Dispose();

    private PersistenceKvSession CreateSession() => new(_database, _users, _byEmail, _byAge);
}
