using Microsoft.Data.Sqlite;
using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Peers.Sqlite;

/// <summary>
/// One thread's connection with its commands prepared once and reused: parameters are typed and only their values
/// change. Writes run in explicit transactions (<c>BEGIN IMMEDIATE</c>, Microsoft.Data.Sqlite's default); single
/// SELECTs run in autocommit, which is SQLite's implicit read transaction. Every read materializes a full
/// <see cref="User"/>.
/// </summary>
internal sealed class SqliteSession : IPeerSession
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const string Select = $"SELECT {SqliteSetup.Columns} FROM users";

    private readonly SqliteConnection _connection;
    private readonly bool _ownsConnection;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _getById;
    private readonly SqliteCommand _getByEmail;
    private readonly SqliteCommand _byAge;
    private readonly SqliteCommand _updateName;
    private readonly SqliteCommand _scan;
    private bool _isFull;

    public SqliteSession(SqliteConnection connection, bool ownsConnection, SyncProfile profile)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
        _isFull = profile == SyncProfile.Full;
        _insert = Prepare(
            $"INSERT INTO users ({SqliteSetup.Columns}) VALUES ($id, $email, $name, $age, $createdAt, $tags)",
            ("$id", SqliteType.Integer), ("$email", SqliteType.Text), ("$name", SqliteType.Text),
            ("$age", SqliteType.Integer), ("$createdAt", SqliteType.Integer), ("$tags", SqliteType.Text));
        _getById = Prepare($"{Select} WHERE Id = $id", ("$id", SqliteType.Integer));
        _getByEmail = Prepare($"{Select} WHERE Email = $email", ("$email", SqliteType.Text));
        _byAge = Prepare($"{Select} WHERE Age = $age ORDER BY Id LIMIT $limit", ("$age", SqliteType.Integer), ("$limit", SqliteType.Integer));
        _updateName = Prepare("UPDATE users SET Name = $name WHERE Id = $id", ("$name", SqliteType.Text), ("$id", SqliteType.Integer));
        _scan = Prepare($"{Select} WHERE Id >= $id ORDER BY Id LIMIT $limit", ("$id", SqliteType.Integer), ("$limit", SqliteType.Integer));
        SqliteSetup.Verify(connection, _isFull); // after preparing: nothing prepared here may change a setting
    }

    public long Retries { get; private set; }

    /// <summary>Inserts every user in one transaction (W1 and the preload of the read workloads).</summary>
    public void Load(UserBatches users)
    {
        using var transaction = _connection.BeginTransaction();
        _insert.Transaction = transaction;
        foreach (var batch in users)
        {
            foreach (var user in batch)
            {
                BindInsert(user);
                _insert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    public void Insert(User user, CommitMode mode)
    {
        SetMode(mode);
        BindInsert(user);
        RetryWhileBusy(_insert);
    }

    public User? Get(long id)
    {
        _getById.Parameters[0].Value = id;
        return ReadOne(_getById);
    }

    public User? GetByEmail(string email)
    {
        _getByEmail.Parameters[0].Value = email;
        return ReadOne(_getByEmail);
    }

    public int QueryAge(int age, int limit, List<User> results)
    {
        _byAge.Parameters[0].Value = age;
        _byAge.Parameters[1].Value = limit;
        return ReadAll(_byAge, results);
    }

    public bool UpdateName(long id, string name, CommitMode mode)
    {
        SetMode(mode);
        _updateName.Parameters[0].Value = name;
        _updateName.Parameters[1].Value = id;
        return RetryWhileBusy(_updateName) == 1;
    }

    public int Scan(long firstId, int count, List<User> results)
    {
        _scan.Parameters[0].Value = firstId;
        _scan.Parameters[1].Value = count;
        return ReadAll(_scan, results);
    }

    public void Dispose()
    {
        foreach (var command in new[] { _insert, _getById, _getByEmail, _byAge, _updateName, _scan })
        {
            command.Dispose();
        }

        if (_ownsConnection)
        {
            _connection.Dispose();
        }
    }

    /// <summary>Materializes the current row; shared with nothing else so that every peer pays the same object cost.</summary>
    private static User Materialize(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Email = reader.GetString(1),
        Name = reader.GetString(2),
        Age = reader.GetInt32(3),
        CreatedAt = new DateTime(reader.GetInt64(4), DateTimeKind.Utc),
        Tags = TagText.Split(reader.GetString(5)),
    };

    private static User? ReadOne(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? Materialize(reader) : null;
    }

    private static int ReadAll(SqliteCommand command, List<User> results)
    {
        using var reader = command.ExecuteReader();
        var count = 0;
        while (reader.Read())
        {
            results.Add(Materialize(reader));
            count++;
        }

        return count;
    }

    /// <summary>
    /// Runs one write statement in its own explicit transaction. SQLITE_BUSY can still escape after the 10 s busy
    /// timeout (and Microsoft.Data.Sqlite's own retry) when many writers queue: the statement is then retried, and
    /// counted, rather than failing the run.
    /// </summary>
    private int RetryWhileBusy(SqliteCommand command)
    {
        while (true)
        {
            try
            {
                using var transaction = _connection.BeginTransaction();
                command.Transaction = transaction;
                var changed = command.ExecuteNonQuery();
                transaction.Commit();
                return changed;
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteBusy or SqliteLocked)
            {
                Retries++;
            }
        }
    }

    /// <summary>
    /// Sets this connection's synchronous level for the next commit. W9 mixes both on one connection (it opens at
    /// NORMAL and switches to FULL around each durable commit); workloads with one mode never switch, because the
    /// connection was opened with their profile's level.
    /// </summary>
    private void SetMode(CommitMode mode)
    {
        var full = mode == CommitMode.Durable;
        if (_isFull == full)
        {
            return;
        }

        SqliteSetup.SetSynchronous(_connection, full);
        _isFull = full;
    }

    private void BindInsert(User user)
    {
        var parameters = _insert.Parameters;
        parameters[0].Value = user.Id;
        parameters[1].Value = user.Email;
        parameters[2].Value = user.Name;
        parameters[3].Value = user.Age;
        parameters[4].Value = user.CreatedAt.Ticks;
        parameters[5].Value = TagText.Join(user.Tags);
    }

    private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        command.Prepare();
        return command;
    }
}
