using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests;

public sealed class BackupTests
{
    private const string Source = "/sim/source.db";
    private const string Target = "/sim/backup.db";

    [Fact]
    public void A_backup_holds_every_keyspace_and_entry_and_opens_as_a_database()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, path: Source);
        var expected = Fill(db, keyspaces: 3, entries: 2_000, seed: 1);

        var version = db.Backup(Target);

        using (var after = db.BeginRead())
        {
            Assert.Equal(after.SnapshotVersion, version);
        }

        using var copy = TestDatabases.Open(fs, path: Target);
        TestDatabases.AssertConsistent(copy);
        Assert.Equal(expected, Contents(copy));
    }

    [Fact]
    public void A_backup_is_one_snapshot_while_writers_commit()
    {
        // Transfers move amounts between accounts, so every committed state sums to the same total and counts its
        // transfers in one key: a copy that mixed two states would break the sum or the count. A transfer commits in
        // the source at every write of the copy, so commits land between the copy's transactions.
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, path: Source);
        db.BackupTransactionBytes = 4096; // many transactions in the copy
        const int accounts = 500;
        db.Write(tx =>
        {
            var ledger = tx.CreateKeyspace("ledger");
            for (var i = 0; i < accounts; i++)
            {
                tx.Put(ledger, Key(i), BitConverter.GetBytes(1_000L));
            }

            tx.Put(ledger, TestDatabases.Bytes("transfers"), BitConverter.GetBytes(0L));
        });

        var random = new Random(7);
        var transfersDuringCopy = 0;
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Write && point.Path.StartsWith(Target, StringComparison.Ordinal))
            {
                var (from, to, amount) = (random.Next(accounts), random.Next(accounts), random.Next(1, 50));
                db.Write(tx =>
                {
                    var ledger = tx.GetKeyspace("ledger");
                    Add(tx, ledger, Key(from), -amount);
                    Add(tx, ledger, Key(to), amount);
                    Add(tx, ledger, TestDatabases.Bytes("transfers"), 1);
                });
                transfersDuringCopy++;
            }

            return null;
        };

        var version = db.Backup(Target);

        fs.Fault = null;
        Assert.True(transfersDuringCopy > 10, $"only {transfersDuringCopy} transfers committed during the copy");
        using var latest = db.BeginRead();
        Assert.Equal(version + transfersDuringCopy, latest.SnapshotVersion);
        using var copy = TestDatabases.Open(fs, path: Target);
        TestDatabases.AssertConsistent(copy);
        using var read = copy.BeginRead();
        var copied = read.GetKeyspace("ledger");
        long total = 0;
        for (var i = 0; i < accounts; i++)
        {
            total += BitConverter.ToInt64(read.Get(copied, Key(i)));
        }

        Assert.Equal(accounts * 1_000L, total);
        Assert.Equal(0, BitConverter.ToInt64(read.Get(copied, TestDatabases.Bytes("transfers")))); // none was in the snapshot
    }

    [Fact]
    public void Large_values_and_typed_collections_come_back_whole()
    {
        using var db = Database.OpenInMemory(TestDatabases.Small());
        var users = new UserCollection(db);
        for (var i = 1; i <= 300; i++)
        {
            users.Insert(new User { Id = i, Email = $"user{i}@example.com", Age = 18 + (i % 60), Name = new string('n', i * 30) });
        }

        var directory = Directory.CreateTempSubdirectory("persistence-backup-");
        try
        {
            var path = Path.Combine(directory.FullName, "copy.db");
            db.Backup(path); // an in-memory database backs up to a real file

            using var copy = Database.Open(path, TestDatabases.Small());
            TestDatabases.AssertConsistent(copy);
            var restored = new UserCollection(copy);
            Assert.Equal(300, restored.Count());
            var user = restored.ByEmail.Get("user250@example.com");
            Assert.NotNull(user);
            Assert.Equal(250, user.Id);
            Assert.Equal(new string('n', 250 * 30), user.Name); // 7,500 bytes: a value on overflow pages in 4 KiB pages
            Assert.Equal(
                Enumerable.Range(1, 300).Where(i => 18 + (i % 60) == 30).Select(i => (long)i),
                restored.ByAge.Find(30).Select(u => u.Id));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_backup_never_writes_over_an_existing_database()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, path: Source);
        Fill(db, keyspaces: 1, entries: 10, seed: 2);
        Dictionary<string, Dictionary<string, string>> existing;
        using (var other = TestDatabases.Open(fs, path: Target))
        {
            existing = Fill(other, keyspaces: 1, entries: 5, seed: 3);
        }

        var refused = Assert.Throws<StorageException>(() => db.Backup(Target));
        Assert.Equal(ErrorCode.DatabaseExists, refused.Code);
        Assert.Equal(ErrorCode.DatabaseExists, Assert.Throws<StorageException>(() => db.Backup(Source)).Code);

        using var untouched = TestDatabases.Open(fs, path: Target);
        Assert.Equal(existing, Contents(untouched));
    }

    [Fact]
    public void A_failed_backup_deletes_what_it_wrote_and_leaves_the_source_working()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, path: Source);
        var expected = Fill(db, keyspaces: 2, entries: 1_000, seed: 4);
        db.BackupTransactionBytes = 4096;
        var writes = 0;
        fs.Fault = point => point.Kind == FaultKind.Write && point.Path.StartsWith(Target, StringComparison.Ordinal) && ++writes == 20
            ? new IOException("No space left on device", 28)
            : null;

        var failed = Assert.Throws<StorageException>(() => db.Backup(Target));

        fs.Fault = null;
        Assert.True(writes >= 20, "the fault was never injected");
        Assert.Equal(ErrorCode.OutOfSpace, failed.Code);
        Assert.DoesNotContain(fs.AllFiles(), file => file.StartsWith(Target, StringComparison.Ordinal));
        Assert.False(db.IsReadOnly);
        db.Write(tx => tx.Put(tx.GetKeyspace("k0"), TestDatabases.Bytes("after"), TestDatabases.Bytes("failure")));
        expected["k0"]["after"] = "failure";
        Assert.Equal(expected, Contents(db));

        db.Backup(Target); // the path is free again
        using var copy = TestDatabases.Open(fs, path: Target);
        Assert.Equal(expected, Contents(copy));
    }

    [Fact]
    public async Task A_cancelled_backup_deletes_what_it_wrote()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, path: Source);
        Fill(db, keyspaces: 2, entries: 1_000, seed: 5);
        db.BackupTransactionBytes = 4096;
        using var cancel = new CancellationTokenSource();
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Write && point.Path.StartsWith(Target, StringComparison.Ordinal))
            {
                cancel.Cancel(); // the copy's first write to its log: the copy has begun
            }

            return null;
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.BackupAsync(Target, cancel.Token));

        fs.Fault = null;
        Assert.DoesNotContain(fs.AllFiles(), file => file.StartsWith(Target, StringComparison.Ordinal));
    }

    private static byte[] Key(int i) => TestDatabases.Bytes($"account{i:D5}");

    private static void Add(WriteTransaction tx, Keyspace ledger, byte[] key, long amount) =>
        tx.Put(ledger, key, BitConverter.GetBytes(BitConverter.ToInt64(tx.Get(ledger, key)) + amount));

    /// <summary>Keyspaces k0.. of random entries, some values larger than a page; returns what was written.</summary>
    private static Dictionary<string, Dictionary<string, string>> Fill(Database db, int keyspaces, int entries, int seed)
    {
        var random = new Random(seed);
        var expected = new Dictionary<string, Dictionary<string, string>>();
        db.Write(tx =>
        {
            for (var k = 0; k < keyspaces; k++)
            {
                var keyspace = tx.CreateKeyspace($"k{k}");
                var entriesOf = expected[$"k{k}"] = [];
                for (var i = 0; i < entries; i++)
                {
                    var key = $"key{random.Next(1_000_000):D7}";
                    var value = new string((char)('a' + random.Next(26)), random.Next(10) == 0 ? random.Next(5_000, 20_000) : random.Next(1, 200));
                    tx.Put(keyspace, TestDatabases.Bytes(key), TestDatabases.Bytes(value));
                    entriesOf[key] = value;
                }
            }
        });

        return expected;
    }

    private static Dictionary<string, Dictionary<string, string>> Contents(Database db)
    {
        using var tx = db.BeginRead();
        var contents = new Dictionary<string, Dictionary<string, string>>();
        foreach (var name in tx.CurrentCatalog.Keyspaces.Select(k => k.Name))
        {
            contents[name] = tx.Scan(tx.GetKeyspace(name)).ToDictionary(e => TestDatabases.Text(e.Key), e => TestDatabases.Text(e.Value));
        }

        return contents;
    }
}
