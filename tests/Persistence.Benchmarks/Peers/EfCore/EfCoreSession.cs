using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Peers.EfCore;

/// <summary>
/// One thread's EF Core access, the way a typical application looks a user up: a new <see cref="UsersContext"/> per
/// lookup and a tracking LINQ query. The context runs on this thread's long-lived connection (configured like every
/// SQLite connection here): BENCHMARKS.md requires Pooling=False, and opening a fresh unpooled connection per lookup
/// would measure SQLite's open and a cold 256 MiB page cache, not EF Core; an application's pooled connection behaves
/// like this one.
/// </summary>
internal sealed class EfCoreSession : IPeerSession
{
    private readonly SqliteConnection _connection;
    private readonly bool _ownsConnection;
    private readonly DbContextOptions<UsersContext> _options;

    public EfCoreSession(SqliteConnection connection, bool ownsConnection)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
        _options = new DbContextOptionsBuilder<UsersContext>().UseSqlite(connection).Options;
    }

    public long Retries => 0;

    /// <summary>
    /// W1, in one explicit transaction, as EF Core's guidance for bulk inserts has it: each batch of the load is added
    /// and saved, then the change tracker is cleared, so that it never tracks more than one batch; changes are not
    /// detected automatically (nothing changes the entities once added). In two alternating pairs at 1M documents this
    /// loaded 25,094 and 29,488 documents per second, one <c>SaveChanges</c> over every tracked entity 21,786 and
    /// 23,425.
    /// </summary>
    public void Load(UserBatches users)
    {
        using var context = new UsersContext(_options);
        context.ChangeTracker.AutoDetectChangesEnabled = false;
        using var transaction = context.Database.BeginTransaction();
        foreach (var batch in users)
        {
            context.Users.AddRange(batch);
            context.SaveChanges();
            context.ChangeTracker.Clear();
        }

        transaction.Commit();
    }

    /// <summary>Creates the table and indexes (before any load).</summary>
    public void EnsureCreated()
    {
        using var context = new UsersContext(_options);
        context.Database.EnsureCreated();
    }

    public User? Get(long id)
    {
        using var context = new UsersContext(_options);
        return context.Users.FirstOrDefault(u => u.Id == id);
    }

    public void Insert(User user, CommitMode mode) => throw Unsupported();

    public User? GetByEmail(string email) => throw Unsupported();

    public int QueryAge(int age, int limit, List<User> results) => throw Unsupported();

    public bool UpdateName(long id, string name, CommitMode mode) => throw Unsupported();

    public int Scan(long firstId, int count, List<User> results) => throw Unsupported();

    public void Dispose()
    {
        if (_ownsConnection)
        {
            _connection.Dispose();
        }
    }

    private static NotSupportedException Unsupported() => new("The EF Core peer runs W1 and W4 only.");
}
