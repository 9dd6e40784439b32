using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Peers.PersistenceKv;

/// <summary>
/// Persistence at the key-value level: three keyspaces (<see cref="UserKeys"/>) and a hand-written MessagePack
/// serializer (<see cref="UserDocument"/>). This is the one class to replace when the typed collections and their
/// source generator exist. Opened with a 256 MiB page cache (SQLite gets the same budget) and the default page size.
/// Durability is chosen per commit, so the workload's <see cref="SyncProfile"/> does not apply.
/// </summary>
internal sealed class PersistenceKvPeer : IPeer
{
    public const string PeerName = "persistence";

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

    public static PeerDescriptor Descriptor { get; } = new(PeerName, _ => true, (directory, _) => new PersistenceKvPeer(directory));

    public string Name => PeerName;

    public bool NeedsLongWarmup => false;

    public void Load(UserBatches users)
    {
        using var session = CreateSession();
        session.Load(users);
    }

    public void Checkpoint() => _database.Checkpoint();

    public DiskUsage MeasureDisk() => DiskUsage.Measure(_path, _directory);

    public string Diagnostics()
    {
        var s = _database.GetStatistics();
        return $"commits {s.Commits}, conflicts {s.WriteConflicts}, WAL batches {s.WalBatches} (avg {Num.Fixed(s.AverageBatchSize, 2)} commits), " +
            $"syncs {s.WalSyncs}, checkpoints {s.Checkpoints} (last {Num.Fixed(s.LastCheckpointDuration.TotalMilliseconds, 0)} ms), " +
            $"file {Num.MiB(s.FileBytes)} MiB, WAL on disk {Num.MiB(s.WalDiskBytes)} MiB, cache {s.CachedPages}/{s.CacheCapacityPages} pages, hit ratio {Num.Fixed(s.CacheHitRatio, 4)}";
    }

    public IPeerSession OpenSession() => CreateSession();

    public void Dispose() => _database.Dispose();

    private PersistenceKvSession CreateSession() => new(_database, _users, _byEmail, _byAge);
}
