using Persistence.Testing;

namespace Persistence.Tests.Wal;

/// <summary>
/// Damage inside the synced log is refused at open, never taken for the torn end a crash leaves (which would drop
/// every acknowledged commit after it); a torn or damaged end is still the log's end.
/// </summary>
public sealed class LogTailCheckTests
{
    private const string Segment = "/sim/test.db-wal/";

    /// <summary>Ten commits in the log alone (the process died before any checkpoint), each value 300 bytes of its number.</summary>
    internal static SimulatedFileSystem TenCommits(Durability durability)
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small();
        options.TimeProvider = new FakeTimeProvider(); // the buffered flush timer never fires: no sync between the commits
        var db = TestDatabases.Open(fs, options);
        for (var i = 1; i <= 10; i++)
        {
            db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("k"), [(byte)i], Enumerable.Repeat((byte)(0xA0 + i), 300).ToArray()), durability: durability);
        }

        var image = fs.AfterProcessCrash().AfterCrash(CrashMode.KeepAll, new Random(1));
        db.Dispose();
        return image;
    }

    /// <summary>Flips one byte inside commit <paramref name="commit"/>'s value in the log; returns the segment's path.</summary>
    internal static string Damage(SimulatedFileSystem fs, int commit)
    {
        var pattern = Enumerable.Repeat((byte)(0xA0 + commit), 300).ToArray();
        foreach (var path in fs.AllFiles().Where(p => p.StartsWith(Segment, StringComparison.Ordinal)))
        {
            var at = fs.ReadAllBytes(path).AsSpan().IndexOf(pattern);
            if (at >= 0)
            {
                fs.Corrupt(path, at + 100, [0x00]);
                return path;
            }
        }

        throw new InvalidOperationException($"commit {commit}'s value is not in the log");
    }

    internal static int[] Keys(Database db)
    {
        using var read = db.BeginRead();
        if (!read.TryGetKeyspace("k", out var keyspace))
        {
            return [];
        }

        var keys = new List<int>();
        using var cursor = read.OpenCursor(keyspace, KeyRange.All);
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            keys.Add(cursor.Key[0]);
        }

        return [.. keys];
    }

    [Fact]
    public void Damage_behind_which_durable_commits_follow_is_refused_and_the_log_is_left_as_it_is()
    {
        var fs = TenCommits(Durability.Durable);
        var path = Damage(fs, 3);
        var before = fs.ReadAllBytes(path);

        var error = Assert.Throws<CorruptionException>(() => TestDatabases.Open(fs));
        Assert.Equal(ErrorCode.Corruption, error.Code);
        Assert.Contains("not the torn end", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, fs.ReadAllBytes(path)); // nothing zeroed: the commits after the damage are still there
        Assert.Throws<CorruptionException>(() => TestDatabases.Open(fs)); // and stay refused
    }

    [Fact]
    public void A_damaged_last_commit_is_the_torn_end_and_the_open_keeps_the_ones_before()
    {
        var fs = TenCommits(Durability.Durable);
        Damage(fs, 10);
        using var db = TestDatabases.Open(fs);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], Keys(db));
        TestDatabases.AssertConsistent(db);
    }

    [Fact]
    public void Damage_followed_only_by_commits_never_synced_is_the_log_end()
    {
        // Buffered commits are acknowledged before any sync, so nothing after the damage proves it was durable: the
        // log ends there, as after a crash that tore an unsynced write.
        var fs = TenCommits(Durability.Buffered);
        Damage(fs, 3);
        using var db = TestDatabases.Open(fs);
        Assert.Equal([1, 2], Keys(db));
        TestDatabases.AssertConsistent(db);
    }
}
