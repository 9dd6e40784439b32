using Persistence.BTree;

namespace Persistence.Diagnostics;

/// <summary>
/// Walks a database and reports every broken invariant (the checker bbolt's tx_check.go is for bbolt). On disk it
/// walks the durable checkpoint from its meta page, reading and verifying every page; in memory it walks the newest
/// visible version. It never throws for what it finds: it lists it. A disposal of the database that cuts the walk short
/// is no finding: it throws <see cref="ErrorCode.DatabaseClosed"/>, as any read does.
/// </summary>
internal sealed partial class ConsistencyChecker
{
    private readonly Database _database;
    private readonly List<string> _errors = [];
    private long _pages;
    private long _keys;

    private ConsistencyChecker(Database database) => _database = database;

    public static ConsistencyReport Check(Database database)
    {
        var checker = new ConsistencyChecker(database);
        if (database.Checkpointer is { } checkpointer)
        {
            lock (checkpointer.RunLock)
            {
                checkpointer.ThrowIfClosed();
                checker.CheckDisk(checkpointer.Durable);
            }
        }

        checker.CheckVisibleVersion();
        return new ConsistencyReport(checker._errors, checker._pages, checker._keys);
    }

    private void Error(string message)
    {
        if (_errors.Count < 1000)
        {
            _errors.Add(message);
        }
    }

    /// <summary>The newest visible version: in every keyspace, keys strictly ascending and as many as the root says.</summary>
    private void CheckVisibleVersion()
    {
        using var read = _database.BeginRead();
        foreach (var keyspace in read.GetKeyspaces())
        {
            var root = read.CurrentRoot(keyspace.Id);
            var cursor = new TreeCursor(_database.Source, Node.UnknownWriter);
            cursor.Reset(root.Root);
            long count = 0;
            byte[]? previous = null;
            try
            {
                for (var ok = cursor.SeekFirst(); ok; ok = cursor.Next())
                {
                    var key = cursor.Key;
                    if (previous is not null && previous.AsSpan().SequenceCompareTo(key) >= 0)
                    {
                        Error($"Keyspace '{keyspace.Name}' (version {read.SnapshotVersion}): key {Convert.ToHexString(key)} does not follow {Convert.ToHexString(previous)}.");
                    }

                    _ = cursor.Value.Length;
                    previous = key.ToArray();
                    count++;
                }
            }
            catch (PersistenceException ex) when (ex.Code != ErrorCode.DatabaseClosed) // closing is no finding: it propagates
            {
                Error($"Keyspace '{keyspace.Name}' (version {read.SnapshotVersion}): reading failed: {ex.Message}");
            }

            _keys += count;
            if (count != root.Count)
            {
                Error($"Keyspace '{keyspace.Name}' (version {read.SnapshotVersion}) holds {count} keys but its root says {root.Count}.");
            }
        }
    }
}
