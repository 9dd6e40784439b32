using System.Buffers;
using Persistence.Benchmarks.Data;
using Persistence.Serialization;

namespace Persistence.Benchmarks.Peers.PersistenceKv;

/// <summary>
/// One thread's access to <see cref="PersistenceKvPeer"/>: what the generated typed collection will do, written by
/// hand at the key-value level. Inserts check both unique keys (Id and Email, as SQLite's primary key and UNIQUE index
/// do) and write the document and both index entries in one transaction; a rename rewrites the document only (the
/// indexed fields do not change); reads open a snapshot, follow the index and deserialize full documents.
/// </summary>
internal sealed class PersistenceKvSession : IPeerSession
{
    private const int MaxEmailKey = 128;

    private readonly Database _database;
    private readonly Keyspace _users;
    private readonly Keyspace _byEmail;
    private readonly Keyspace _byAge;
    private readonly ArrayBufferWriter<byte> _document = new(256);

    public PersistenceKvSession(Database database, Keyspace users, Keyspace byEmail, Keyspace byAge)
    {
        _database = database;
        _users = users;
        _byEmail = byEmail;
        _byAge = byAge;
    }

    public long Retries { get; private set; }

    /// <summary>Inserts every user in one buffered transaction (W1 and the preload of the read workloads).</summary>
    public void Load(UserBatches users)
    {
        using var transaction = _database.BeginWrite(Durability.Buffered);
        foreach (var batch in users)
        {
            foreach (var user in batch)
            {
                Put(transaction, user);
            }
        }

        transaction.Commit();
    }

    public void Insert(User user, CommitMode mode)
    {
        while (true)
        {
            using var transaction = _database.BeginWrite(DurabilityOf(mode));
            Put(transaction, user);
            try
            {
                transaction.Commit();
                return;
            }
            catch (WriteConflictException)
            {
                Retries++; // W3 and W9 writers insert distinct keys, so this stays zero; counted to prove it.
            }
        }
    }

    public User? Get(long id)
    {
        Span<byte> key = UserKeys.Id(id, stackalloc byte[UserKeys.MaxIdLength]);
        using var transaction = _database.BeginRead();
        return transaction.TryGet(_users, key, out var value) ? UserDocument.Read(value) : null;
    }

    public User? GetByEmail(string email)
    {
        var key = new KeyWriter(stackalloc byte[MaxEmailKey]);
        try
        {
            key.WriteString(email);
            using var transaction = _database.BeginRead();
            if (!transaction.TryGet(_byEmail, key.WrittenSpan, out var id))
            {
                return null;
            }

            return transaction.TryGet(_users, id, out var value) ? UserDocument.Read(value) : null;
        }
        finally
        {
            key.Dispose();
        }
    }

    public int QueryAge(int age, int limit, List<User> results)
    {
        Span<byte> prefix = UserKeys.AgePrefix(age, stackalloc byte[UserKeys.MaxAgeLength]);
        using var transaction = _database.BeginRead();
        using var cursor = transaction.OpenCursor(_byAge, KeyRange.Prefix(prefix));
        var count = 0;
        for (var more = cursor.First(); more && count < limit; more = cursor.Next())
        {
            if (!transaction.TryGet(_users, cursor.Key[prefix.Length..], out var value))
            {
                throw new InvalidDataException("The age index names a user that does not exist.");
            }

            results.Add(UserDocument.Read(value));
            count++;
        }

        return count;
    }

    public bool UpdateName(long id, string name, CommitMode mode)
    {
        Span<byte> key = UserKeys.Id(id, stackalloc byte[UserKeys.MaxIdLength]);
        while (true)
        {
            using var transaction = _database.BeginWrite(DurabilityOf(mode));
            if (!transaction.TryGet(_users, key, out var value))
            {
                return false;
            }

            var user = UserDocument.Read(value);
            user.Name = name;
            transaction.Put(_users, key, UserDocument.Write(user, _document));
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
        Span<byte> key = UserKeys.Id(firstId, stackalloc byte[UserKeys.MaxIdLength]);
        using var transaction = _database.BeginRead();
        using var cursor = transaction.OpenCursor(_users);
        var found = 0;
        for (var more = cursor.Seek(key); more && found < count; more = cursor.Next())
        {
            results.Add(UserDocument.Read(cursor.Value));
            found++;
        }

        return found;
    }

    public void Dispose()
    {
    }

    private static Durability DurabilityOf(CommitMode mode) => mode == CommitMode.Durable ? Durability.Durable : Durability.Buffered;

    /// <summary>Writes the document and both index entries, refusing a duplicate Id or Email as a unique index would.</summary>
    private void Put(WriteTransaction transaction, User user)
    {
        Span<byte> id = UserKeys.Id(user.Id, stackalloc byte[UserKeys.MaxIdLength]);
        if (transaction.ContainsKey(_users, id))
        {
            throw new InvalidOperationException($"User {user.Id} already exists.");
        }

        var email = new KeyWriter(stackalloc byte[MaxEmailKey]);
        try
        {
            email.WriteString(user.Email);
            if (transaction.ContainsKey(_byEmail, email.WrittenSpan))
            {
                throw new InvalidOperationException($"The email {user.Email} is already taken.");
            }

            transaction.Put(_users, id, UserDocument.Write(user, _document));
            transaction.Put(_byEmail, email.WrittenSpan, id);
        }
        finally
        {
            email.Dispose();
        }

        Span<byte> age = stackalloc byte[UserKeys.MaxAgeEntryLength];
        transaction.Put(_byAge, UserKeys.AgeEntry(user.Age, user.Id, age), ReadOnlySpan<byte>.Empty);
    }
}
