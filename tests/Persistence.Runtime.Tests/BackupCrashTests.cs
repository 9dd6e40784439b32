using Persistence.Testing;

namespace Persistence.Tests;

/// <summary>
/// A backup the process or the machine did not survive: whatever it left at the destination must not pass for a
/// backup. A file there that opens holds the whole snapshot; anything less is no database at all.
/// </summary>
public sealed class BackupCrashTests
{
    private const string Source = "/sim/source.db";
    private const string Target = "/sim/backup.db";
    private const int Entries = 600;

    /// <summary>
    /// Crashes at every storage operation of a backup that copies in many transactions (each one a commit of the copy's
    /// log, written to the operating system but synced only by the final checkpoint), both as a process crash (the
    /// cache keeps every write) and as a power failure that keeps every unsynced write, then opens what the destination
    /// holds.
    /// </summary>
    [Fact]
    public void A_backup_cut_short_at_any_operation_leaves_nothing_that_opens_as_a_partial_backup()
    {
        var (total, _) = Run(crashAt: long.MaxValue);
        Assert.True(total > 20, $"the backup performed only {total} operations");
        for (var at = 0L; at < total; at++)
        {
            var (_, crashed) = Run(at);
            Assert.NotNull(crashed);
            AssertNoPartialBackup(crashed!.AfterProcessCrash(), $"process crash at operation {at} of {total}");
            AssertNoPartialBackup(crashed.AfterCrash(CrashMode.KeepAll, new Random(0)), $"power failure at operation {at} of {total}");
        }
    }

    /// <summary>
    /// A write, length change or fsync that fails at any operation of a backup, and the directory sync that makes the
    /// finished copy's name durable: the backup throws a <see cref="StorageException"/>, nothing is left at the
    /// destination (nor under its temporary name), and the source stays writable.
    /// </summary>
    [Fact]
    public void A_failed_write_fsync_or_directory_sync_fails_the_backup_and_leaves_nothing_at_the_destination()
    {
        var (total, _) = Run(crashAt: long.MaxValue);
        for (var at = 0L; at <= total; at++)
        {
            var fs = new SimulatedFileSystem();
            using var db = Filled(fs);
            var start = fs.Operations;
            var injected = false;
            if (at < total)
            {
                fs.Fault = point => point.Index == start + at && (injected = true) ? new IOException("Input/output error", 5) : null;
            }
            else
            {
                fs.SyncDirectoryFault = directory => fs.AllFiles().Contains(Target) && (injected = true) ? new IOException("Input/output error", 5) : null;
            }

            Assert.Throws<StorageException>(() => db.Backup(Target));
            fs.Fault = null;
            fs.SyncDirectoryFault = null;
            Assert.True(injected, $"operation {at}: no fault injected");
            Assert.DoesNotContain(fs.AllFiles(), file => file.StartsWith(Target, StringComparison.Ordinal));
            Assert.False(db.IsReadOnly);
            db.Write(tx => tx.Put(tx.GetKeyspace("k"), Key(Entries), Value(Entries)));
        }
    }

    /// <summary>
    /// The process dies right after a backup renamed the finished copy to the destination, before the directory sync
    /// that makes that name durable: the file is at the destination, but a power failure would take its name. An
    /// application then opens the destination and commits durably; the open must make the name durable before that
    /// commit is acknowledged, so a power failure afterwards keeps the copy, and the commit, at the destination.
    /// </summary>
    [Fact]
    public void A_commit_to_a_backup_opened_after_a_crash_between_its_rename_and_directory_sync_survives_a_power_failure()
    {
        var fs = new SimulatedFileSystem();
        using var db = Filled(fs);
        SimulatedFileSystem? crashed = null;
        fs.NameChanged = change =>
        {
            if (change.Kind == NameChangeKind.Rename && change.Path == Target)
            {
                crashed ??= fs.AfterProcessCrash(); // the process as it dies between the rename and the directory sync
            }
        };
        db.Backup(Target);
        fs.NameChanged = null;
        Assert.NotNull(crashed);
        Assert.Contains(Target, crashed!.AllFiles());
        Assert.DoesNotContain(Target, crashed.AfterCrash(CrashMode.DropUnsynced, new Random(0)).AllFiles()); // the name is not durable yet

        SimulatedFileSystem image;
        using (var opened = TestDatabases.Open(crashed, TestDatabases.Quiet(), Target))
        {
            opened.Write(tx => tx.Put(tx.GetKeyspace("k"), Key(Entries), Value(Entries)), durability: Durability.Durable);
            image = crashed.AfterCrash(CrashMode.DropUnsynced, new Random(1)); // the power fails once the commit is acknowledged
        }

        Assert.Contains(Target, image.AllFiles());
        using var reopened = TestDatabases.Open(image, TestDatabases.Quiet(), Target);
        using var read = reopened.BeginRead();
        Assert.Equal(Entries + 1, read.Count(read.GetKeyspace("k")));
        Assert.Equal(Value(Entries), read.Get(read.GetKeyspace("k"), Key(Entries)));
        TestDatabases.AssertConsistent(reopened);
    }

    /// <summary>
    /// Backs the source up with the power failing <paramref name="crashAt"/> operations into the backup. Returns the
    /// operations the backup performed and the expected contents when it completes, or the crashed file system.
    /// </summary>
    private static (long Total, SimulatedFileSystem? Crashed) Run(long crashAt)
    {
        var fs = new SimulatedFileSystem();
        var db = Filled(fs);
        var start = fs.Operations;
        if (crashAt == long.MaxValue)
        {
            db.Backup(Target);
            var total = fs.Operations - start;
            db.Dispose();
            return (total, null);
        }

        fs.CrashAtOperation = start + crashAt;
        Assert.ThrowsAny<Exception>(() => db.Backup(Target));
        Assert.True(fs.Crashed);
        return (0, fs);
    }

    /// <summary>The source: <see cref="Entries"/> entries, backed up in many transactions.</summary>
    private static Database Filled(SimulatedFileSystem fs)
    {
        var db = TestDatabases.Open(fs, TestDatabases.Quiet(), Source);
        db.Write(tx =>
        {
            var keyspace = tx.CreateKeyspace("k");
            for (var i = 0; i < Entries; i++)
            {
                tx.Put(keyspace, Key(i), Value(i));
            }
        });
        db.BackupTransactionBytes = 4096; // many transactions in the copy
        return db;
    }

    private static void AssertNoPartialBackup(SimulatedFileSystem image, string when)
    {
        if (!image.AllFiles().Contains(Target))
        {
            return; // Open would create a new, empty database: no backup is there
        }

        Database copy;
        try
        {
            copy = TestDatabases.Open(image, TestDatabases.Quiet(), Target);
        }
        catch (PersistenceException)
        {
            return; // refused: it does not pass for a backup
        }

        using (copy)
        {
            using var tx = copy.BeginRead();
            var entries = !tx.CurrentCatalog.Keyspaces.Any() ? [] : tx.Scan(tx.GetKeyspace("k")).ToList();
            Assert.True(entries.Count == Entries, $"After a {when}, the destination opens as a database of {entries.Count} of the {Entries} entries.");
            for (var i = 0; i < Entries; i++)
            {
                Assert.Equal(Key(i), entries[i].Key);
                Assert.Equal(Value(i), entries[i].Value);
            }
        }
    }

    private static byte[] Key(int i) => TestDatabases.Bytes($"key{i:D5}");

    private static byte[] Value(int i) => TestDatabases.Bytes(new string((char)('a' + (i % 26)), 40 + (i % 60)));
}
