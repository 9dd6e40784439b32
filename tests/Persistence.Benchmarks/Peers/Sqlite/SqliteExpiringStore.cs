using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;

namespace Persistence.Benchmarks.Peers.Sqlite;

/// <summary>
/// SQLite's store of expiring users, SQLite's natural equivalent of ours: in its own file, <c>expiring.sqlite</c>,
/// configured like every connection of the peer (<see cref="SqliteSetup"/>, <c>synchronous=NORMAL</c>), the users
/// table plus an <c>ExpiresAt</c> column (UTC ticks) with its own index, beside the Email and Age indexes. SQLite has no
/// TTL, so the application does both halves: reads add <c>ExpiresAt &gt; now</c>, and the collector is a loop of
/// <c>DELETE ... WHERE Id IN (SELECT Id ... WHERE ExpiresAt &lt;= now ORDER BY ExpiresAt LIMIT batch)</c>, each batch
/// its own transaction, walking the index from the oldest expiry as ours walks its expiry index, and pacing itself
/// exactly as our collector does (after each batch, a pause of the batch's time × (1 / share − 1)).
/// </summary>
internal sealed class SqliteExpiringStore : IExpiringStore
{
    private const string Table = "expiring_users";
    private const string Columns = SqliteSetup.Columns + ", ExpiresAt";
    private const string Schema = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            Id INTEGER PRIMARY KEY,
            Email TEXT NOT NULL,
            Name TEXT NOT NULL,
            Age INTEGER NOT NULL,
            CreatedAt INTEGER NOT NULL,
            Tags TEXT NOT NULL,
            ExpiresAt INTEGER);
        CREATE UNIQUE INDEX IF NOT EXISTS ix_expiring_email ON {Table} (Email);
        CREATE INDEX IF NOT EXISTS ix_expiring_age ON {Table} (Age);
        CREATE INDEX IF NOT EXISTS ix_expiring_expires_at ON {Table} (ExpiresAt);
        """;

    private readonly string _directory;
    private readonly string _path;
    private readonly ExpiringStoreSettings _settings;
    private readonly SqliteConnection _main;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _collect;

    public SqliteExpiringStore(string directory, ExpiringStoreSettings settings)
    {
        _directory = directory;
        _path = Path.Combine(directory, "expiring.sqlite");
        _settings = settings;
        _main = SqliteSetup.Open(_path, SyncProfile.Normal);
        SqliteSetup.Execute(_main, Schema);
        _insert = Prepare(_main,
            $"INSERT INTO {Table} ({Columns}) VALUES ($id, $email, $name, $age, $createdAt, $tags, $expiresAt)",
            ("$id", SqliteType.Integer), ("$email", SqliteType.Text), ("$name", SqliteType.Text), ("$age", SqliteType.Integer),
            ("$createdAt", SqliteType.Integer), ("$tags", SqliteType.Text), ("$expiresAt", SqliteType.Integer));
        _collect = Prepare(_main,
            $"DELETE FROM {Table} WHERE Id IN (SELECT Id FROM {Table} WHERE ExpiresAt <= $now ORDER BY ExpiresAt LIMIT $batch)",
            ("$now", SqliteType.Integer), ("$batch", SqliteType.Integer));
    }

    public void Load(DocumentBatches<ExpiringUser> users)
    {
        using var transaction = _main.BeginTransaction();
        _insert.Transaction = transaction;
        var parameters = _insert.Parameters;
        foreach (var batch in users)
        {
            foreach (var user in batch)
            {
                parameters[0].Value = user.Id;
                parameters[1].Value = user.Email;
                parameters[2].Value = user.Name;
                parameters[3].Value = user.Age;
                parameters[4].Value = user.CreatedAt.Ticks;
                parameters[5].Value = TagText.Join(user.Tags);
                parameters[6].Value = user.ExpiresAt is { } expiry ? expiry.UtcTicks : DBNull.Value;
                _insert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    public void Checkpoint() => SqliteSetup.Checkpoint(_main);

    public long CollectExpired()
    {
        var now = _settings.Clock.GetUtcNow().UtcTicks;
        long total = 0;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            int removed;
            using (var transaction = _main.BeginTransaction())
            {
                _collect.Transaction = transaction;
                _collect.Parameters[0].Value = now;
                _collect.Parameters[1].Value = _settings.BatchSize;
                removed = _collect.ExecuteNonQuery();
                transaction.Commit();
            }

            total += removed;
            if (removed < _settings.BatchSize)
            {
                return total;
            }

            var pause = Stopwatch.GetElapsedTime(started) * ((1 / _settings.MaxCollectorShare) - 1);
            if (pause > TimeSpan.Zero)
            {
                Thread.Sleep(pause);
            }
        }
    }

    public DiskUsage MeasureDisk() => DiskUsage.Measure(_path, _directory);

    public IExpiringSession OpenSession() => new Session(SqliteSetup.Open(_path, SyncProfile.Normal), _settings.Clock);

    public string Diagnostics() => "";

    public void Dispose()
    {
        _insert.Dispose();
        _collect.Dispose();
        _main.Dispose();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        command.Prepare();
        return command;
    }

    /// <summary>One thread's connection with its get prepared once: the user by Id, unless it has expired.</summary>
    private sealed class Session : IExpiringSession
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _get;
        private readonly TimeProvider _clock;

        public Session(SqliteConnection connection, TimeProvider clock)
        {
            _connection = connection;
            _clock = clock;
            _get = Prepare(connection, $"SELECT {Columns} FROM {Table} WHERE Id = $id AND (ExpiresAt IS NULL OR ExpiresAt > $now)",
                ("$id", SqliteType.Integer), ("$now", SqliteType.Integer));
        }

        public ExpiringUser? Get(long id)
        {
            _get.Parameters[0].Value = id;
            _get.Parameters[1].Value = _clock.GetUtcNow().UtcTicks;
            using var reader = _get.ExecuteReader();
            return reader.Read()
                ? new ExpiringUser
                {
                    Id = reader.GetInt64(0),
                    Email = reader.GetString(1),
                    Name = reader.GetString(2),
                    Age = reader.GetInt32(3),
                    CreatedAt = new DateTime(reader.GetInt64(4), DateTimeKind.Utc),
                    Tags = TagText.Split(reader.GetString(5)),
                    ExpiresAt = reader.IsDBNull(6) ? null : new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero),
                }
                : null;
        }

        public void Dispose()
        {
            _get.Dispose();
            _connection.Dispose();
        }
    }
}
