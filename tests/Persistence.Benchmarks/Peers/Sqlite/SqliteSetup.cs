using Microsoft.Data.Sqlite;

namespace Persistence.Benchmarks.Peers.Sqlite;

/// <summary>
/// SQLite configured exactly as shared/BENCHMARKS.md requires, for every connection of both SQL peers:
/// <c>Pooling=False</c>, <c>Cache=Private</c>, <c>journal_mode=WAL</c>, <c>cache_size=-262144</c> (256 MiB, our page
/// cache budget), <c>temp_store=MEMORY</c>, <c>busy_timeout=10000</c>, and <c>synchronous</c> NORMAL or FULL by the
/// workload's profile. The schema: a rowid table with typed columns (CreatedAt as ticks, Tags as one text column), a
/// UNIQUE index on Email and an index on Age, created before any row is loaded.
/// </summary>
internal static class SqliteSetup
{
    public const string Columns = "Id, Email, Name, Age, CreatedAt, Tags";

    public const string CreateSchema = """
        CREATE TABLE IF NOT EXISTS users (
            Id INTEGER PRIMARY KEY,
            Email TEXT NOT NULL,
            Name TEXT NOT NULL,
            Age INTEGER NOT NULL,
            CreatedAt INTEGER NOT NULL,
            Tags TEXT NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS ix_users_email ON users (Email);
        CREATE INDEX IF NOT EXISTS ix_users_age ON users (Age);
        """;

    /// <summary>Opens and configures a connection to the database file at <paramref name="path"/>.</summary>
    public static SqliteConnection Open(string path, SyncProfile profile)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            Cache = SqliteCacheMode.Private,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, $"""
                PRAGMA journal_mode=WAL;
                PRAGMA cache_size=-262144;
                PRAGMA temp_store=MEMORY;
                PRAGMA busy_timeout=10000;
                PRAGMA synchronous={(profile == SyncProfile.Full ? "FULL" : "NORMAL")};
                """);
            Verify(connection, profile == SyncProfile.Full);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The version of the bundled SQLite library.</summary>
    public static string Version()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return connection.ServerVersion;
    }

    /// <summary>
    /// Sets <c>synchronous</c>. SQLite applies this pragma when the statement is compiled, not when it runs, so it is
    /// never prepared ahead and never reused: a prepared <c>PRAGMA synchronous=NORMAL</c> lying in wait silently
    /// turned a FULL connection into a NORMAL one in an early version of this runner.
    /// </summary>
    public static void SetSynchronous(SqliteConnection connection, bool full) =>
        Execute(connection, full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");

    /// <summary>Throws unless the connection's settings are the ones BENCHMARKS.md requires, with <c>synchronous</c> as given.</summary>
    public static void Verify(SqliteConnection connection, bool full)
    {
        var expected = $"wal -262144 2 10000 {(full ? 2 : 1)}";
        var actual = string.Join(' ', new[] { "journal_mode", "cache_size", "temp_store", "busy_timeout", "synchronous" }
            .Select(pragma => Query(connection, $"PRAGMA {pragma};")));
        if (actual != expected)
        {
            throw new InvalidOperationException($"SQLite is not configured as required: journal_mode, cache_size, temp_store, busy_timeout, synchronous are '{actual}', not '{expected}'.");
        }
    }

    private static string Query(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Copies the WAL into the database file and truncates the WAL to zero bytes.</summary>
    public static void Checkpoint(SqliteConnection connection) => Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
}
