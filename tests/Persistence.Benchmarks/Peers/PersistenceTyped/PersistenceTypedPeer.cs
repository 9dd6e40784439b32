using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;

namespace Persistence.Benchmarks.Peers.PersistenceTyped;

/// <summary>
/// Persistence as an application uses it: the generated <see cref="UserCollection"/> of <see cref="User"/> (documents
/// in keyspace <c>users</c>, the unique Email index and the Age index in their own keyspaces, all maintained by the
/// collection), on a database with a 256 MiB page cache (SQLite gets the same budget) and the default page size. This
/// is our peer: the numerator of every ratio. Durability is chosen per commit, so the workload's
/// <see cref="SyncProfile"/> does not apply. The TTL workloads also open it with settings of their own (T3: a hot
/// cache) and open its store of expiring users (<see cref="PersistenceExpiringStore"/>, T2) beside it.
/// </summary>
internal sealed class PersistenceTypedPeer : IPeer
{
    public const string PeerName = "persistence";

    private readonly string _directory;
    private readonly string _path;
    private readonly Database _database;
    private readonly UserCollection _users;

    /// <param name="directory">Where its files go.</param>
    /// <param name="configure">Changes to the options it opens with (T3 adds a hot cache to <c>users</c>).</param>
    public PersistenceTypedPeer(string directory, Action<DatabaseOptions>? configure = null)
    {
        _directory = directory;
        _path = Path.Combine(directory, "users.db");
        var options = new DatabaseOptions { PageCacheBytes = 256L << 20 };
        configure?.Invoke(options);
        _database = Database.Open(_path, options);
        _users = new UserCollection(_database);
    }

    public static PeerDescriptor Descriptor { get; } = new(PeerName, _ => true, (directory, _) => new PersistenceTypedPeer(directory));

    public string Name => PeerName;

    public bool NeedsLongWarmup => false;

    public bool HasQueryBuilder => true;

    public void Load(UserBatches users)
    {
        using var session = CreateSession();
        session.Load(users);
    }

    public void Checkpoint() => _database.Checkpoint();

    public DiskUsage MeasureDisk() => DiskUsage.Measure(_path, _directory);

    public string Diagnostics() => EngineCounters.Describe(_database);

    public string? DescribeSpace()
    {
        var pageSize = _database.Source.PageSize;
        return string.Join("; ", Persistence.Diagnostics.SpaceReport.Describe(_database).Select(k => $"{k}, leaf fill {k.LeafFill(pageSize):P0}"));
    }

    public IPeerSession OpenSession() => CreateSession();

    public IExpiringStore OpenExpiringStore(ExpiringStoreSettings settings) => new PersistenceExpiringStore(_directory, settings);

    /// <summary>The engine's statistics (T3 reads the hot cache's hits and misses).</summary>
    public DatabaseStatistics Statistics() => _database.GetStatistics();

    public void Dispose() => _database.Dispose();

    private PersistenceTypedSession CreateSession() => new(_database, _users);
}
