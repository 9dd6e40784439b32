using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Peers.PersistenceTyped;

/// <summary>
/// One thread's use of the generated collection, each operation written the way the collection's documentation shows
/// it: <c>InsertMany</c> in one write transaction (W1), <c>Insert</c> in its own transaction with the commit's
/// durability (W2, W3, W9), <c>Get</c> (W4), <c>ByEmail.Get</c> (W5), <c>ByAge.Find(age).Take(100)</c> or the query
/// builder (W6), <c>Get</c> then <c>Update</c> in one buffered transaction (W7) and <c>Range</c> (W8). Writes retry
/// on a write conflict and count it (W3 and W9 writers insert distinct keys, so the count proves it stays zero).
/// </summary>
internal sealed class PersistenceTypedSession : IPeerSession
{
    private readonly Database _database;
    private readonly UserCollection _users;

    public PersistenceTypedSession(Database database, UserCollection users)
    {
        _database = database;
        _users = users;
    }

    public long Retries { get; private set; }

    /// <summary>Inserts every user in one buffered transaction (W1 and the preload of the read workloads).</summary>
    public void Load(UserBatches users)
    {
        using var transaction = _database.BeginWrite(Durability.Buffered);
        foreach (var batch in users)
        {
            _users.InsertMany(batch, transaction);
        }

        transaction.Commit();
    }

    public void Insert(User user, CommitMode mode)
    {
        while (true)
        {
            using var transaction = _database.BeginWrite(DurabilityOf(mode));
            _users.Insert(user, transaction);
            try
            {
                transaction.Commit();
                return;
            }
            catch (WriteConflictException)
            {
                Retries++;
            }
        }
    }

    public User? Get(long id) => _users.Get(id);

    public User? GetByEmail(string email) => _users.ByEmail.Get(email);

    public int QueryAge(int age, int limit, List<User> results)
    {
        var before = results.Count;
        results.AddRange(_users.ByAge.Find(age).Take(limit));
        return results.Count - before;
    }

    /// <summary>W6 through the query builder: the planner picks the Age index, which yields ties in Id order.</summary>
    public int QueryAgeWithBuilder(int age, int limit, List<User> results)
    {
        var before = results.Count;
        results.AddRange(_users.Query().Where(u => u.Age.Is(age)).OrderBy(u => u.Age).Take(limit));
        return results.Count - before;
    }

    public bool UpdateName(long id, string name, CommitMode mode)
    {
        while (true)
        {
            using var transaction = _database.BeginWrite(DurabilityOf(mode));
            var user = _users.Get(id, transaction);
            if (user is null)
            {
                return false;
            }

            user.Name = name;
            _users.Update(user, transaction);
            try
            {
                transaction.Commit();
                return true;
            }
            catch (WriteConflictException)
            {
                Retries++;
            }
        }
    }

    public int Scan(long firstId, int count, List<User> results)
    {
        var before = results.Count;
        results.AddRange(_users.Range(firstId, firstId + count));
        return results.Count - before;
    }

    public void Dispose()
    {
    }

    private static Durability DurabilityOf(CommitMode mode) => mode == CommitMode.Durable ? Durability.Durable : Durability.Buffered;
}
