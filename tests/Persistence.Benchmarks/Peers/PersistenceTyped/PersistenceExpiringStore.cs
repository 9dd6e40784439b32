using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;

namespace Persistence.Benchmarks.Peers.PersistenceTyped;

/// <summary>
/// Our store of expiring users: the generated <see cref="ExpiringUserCollection"/> (documents, the Email and Age
/// indexes and the expiry index <c>expiring_users#$expiry</c>) in a database of its own, <c>expiring.db</c>, opened
/// like the typed peer's (256 MiB page cache, default page size) with the settings' clock and collector options.
/// The collector is the engine's own, run by <see cref="Database.CollectExpiredAsync"/> when the workload drives it.
/// </summary>
internal sealed class PersistenceExpiringStore : IExpiringStore
{
    private readonly string _directory;
    private readonly string _path;
    private readonly Database _database;
    private readonly ExpiringUserCollection _users;

    public PersistenceExpiringStore(string directory, ExpiringStoreSettings settings)
    {
        _directory = directory;
        _path = Path.Combine(directory, "expiring.db");
        var options = new DatabaseOptions { PageCacheBytes = 256L << 20, TimeProvider = settings.Clock };
        options.Ttl.BatchSize = settings.BatchSize;
        options.Ttl.MaxCollectorShare = settings.MaxCollectorShare;
        options.Ttl.RunCollectorInBackground = settings.RunCollectorInBackground;
        _database = Database.Open(_path, options);
        _users = new ExpiringUserCollection(_database);
    }

    public void Load(DocumentBatches<ExpiringUser> users)
    {
        using var transaction = _database.BeginWrite(Durability.Buffered);
        foreach (var batch in users)
        {
            _users.InsertMany(batch, transaction);
        }

        transaction.Commit();
    }

    public void Checkpoint() => _database.Checkpoint();

    public long CollectExpired() => _database.CollectExpiredAsync().GetAwaiter().GetResult();

    public DiskUsage MeasureDisk() => DiskUsage.Measure(_path, _directory);

    public IExpiringSession OpenSession() => new Session(_database, _users);

    /// <summary>The engine's counters, with the tree nodes commits copied when they applied their changes (the collector's main cost).</summary>
    public string Diagnostics() => $"{EngineCounters.Describe(_database)}; tree nodes copied by commits {_database.Sequencer.NodeCopies}";

    public void Dispose() => _database.Dispose();

    /// <summary>Reads and writes as the typed peer's session does: <c>Get</c>; <c>Insert</c> in its own transaction, retried on a conflict.</summary>
    private sealed class Session(Database database, ExpiringUserCollection users) : IExpiringSession
    {
        public ExpiringUser? Get(long id) => users.Get(id);

        public void Insert(ExpiringUser user, CommitMode mode)
        {
            while (true)
            {
                using var transaction = database.BeginWrite(mode == CommitMode.Durable ? Durability.Durable : Durability.Buffered);
                users.Insert(user, transaction);
                try
                {
                    transaction.Commit();
                    return;
                }
                catch (WriteConflictException)
                {
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
