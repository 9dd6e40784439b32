using Persistence.Storage;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests;

/// <summary>Review findings on Database.Backup and on the reads of the same change set (Stable, sliding reads).</summary>
public sealed class BackupReviewTests
{
    private const string Source = "/sim/source.db";
    private const string Target = "/sim/backup.db";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A failure while the copy is being created (inside Open) deletes its temporary file too.</summary>
    [Fact]
    public void A_backup_that_fails_while_creating_the_copy_leaves_no_file_behind()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, path: Source);
        db.Write(tx => tx.Put(tx.CreateKeyspace("k"), TestDatabases.Bytes("a"), TestDatabases.Bytes("b")));
        fs.Fault = point => point.Kind == FaultKind.Write && point.Path == Target + Database.IncompleteSuffix + "-creating"
            ? new IOException("No space left on device", 28)
            : null;

        Assert.Throws<StorageException>(() => db.Backup(Target));

        fs.Fault = null;
        Assert.DoesNotContain(fs.AllFiles(), file => file.StartsWith(Target, StringComparison.Ordinal));
        db.Backup(Target); // the path is free again
    }

    /// <summary>
    /// A second backup to the same target that passes the existence checks while the first is creating it finds the
    /// target locked: it must refuse without deleting anything (the files, and the lock file, are the first backup's).
    /// </summary>
    [Fact]
    public void A_concurrent_backup_to_the_same_target_deletes_none_of_the_other_backups_files()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, path: Source);
        db.Write(tx => tx.Put(tx.CreateKeyspace("k"), TestDatabases.Bytes("a"), TestDatabases.Bytes("b")));
        var deletedBySecond = new List<string>();
        StorageException? second = null;
        fs.Fault = point =>
        {
            if (second is null && point.Kind == FaultKind.Write && point.Path == Target + Database.IncompleteSuffix + "-creating")
            {
                // The first backup holds the target's lock and has not renamed its file into place yet.
                fs.DeleteFault = path =>
                {
                    deletedBySecond.Add(path);
                    return null;
                };
                second = Assert.Throws<StorageException>(() => db.Backup(Target));
                fs.DeleteFault = null;
            }

            return null;
        };

        db.Backup(Target);

        fs.Fault = null;
        Assert.NotNull(second);
        Assert.Contains(second.Code, new[] { ErrorCode.DatabaseExists, ErrorCode.DatabaseLocked });
        Assert.Empty(deletedBySecond);
        using var copy = TestDatabases.Open(fs, path: Target);
        using var read = copy.BeginRead();
        Assert.Equal("b", TestDatabases.Text(read.Get(read.GetKeyspace("k"), TestDatabases.Bytes("a"))));
    }

    /// <summary>
    /// The copy is written under its temporary name and renamed over the destination at the end, which replaces any file
    /// there: while it runs, the backup holds the destination's lock, so that an application opening a database at the
    /// destination meanwhile is refused (as it was when the copy was written in place) instead of creating a database
    /// there that the rename then replaces, commits and all.
    /// </summary>
    [Fact]
    public void A_database_opened_at_the_destination_during_a_backup_is_refused_and_not_replaced()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, path: Source);
        db.Write(tx => tx.Put(tx.CreateKeyspace("k"), TestDatabases.Bytes("a"), TestDatabases.Bytes("b")));
        Exception? opened = null;
        var hooked = false;
        fs.Fault = point =>
        {
            if (!hooked && point.Kind == FaultKind.Write && point.Path == Target + Database.IncompleteSuffix + "-creating")
            {
                hooked = true;
                opened = Record.Exception(() =>
                {
                    using var application = TestDatabases.Open(fs, path: Target);
                    application.Write(tx => tx.Put(tx.CreateKeyspace("app"), TestDatabases.Bytes("x"), TestDatabases.Bytes("y")));
                });
            }

            return null;
        };

        db.Backup(Target);

        fs.Fault = null;
        Assert.True(hooked);
        Assert.Equal(ErrorCode.DatabaseLocked, Assert.IsType<StorageException>(opened).Code);
        using var copy = TestDatabases.Open(fs, path: Target);
        using var read = copy.BeginRead();
        Assert.Equal("b", TestDatabases.Text(read.Get(read.GetKeyspace("k"), TestDatabases.Bytes("a"))));
    }

    /// <summary>
    /// A copy is written as <c>path-incomplete</c>: when that is the source's own file, the destination is refused as a
    /// path (the copy cannot be written there), not reported as an interrupted copy whose files to delete.
    /// </summary>
    [Fact]
    public void A_destination_whose_temporary_name_is_the_source_is_refused_and_the_source_not_named_for_deletion()
    {
        const string source = "/sim/app.db" + Database.IncompleteSuffix;
        var refused = AssertRefusedAndNothingWritten(source, "/sim/app.db");
        Assert.Contains(source, refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The files of the copy's temporary name that fail to be deleted once the copy is in place (as a crash between the
    /// rename and their deletion leaves them) do not fail the backup: the copy at the destination is complete and opens,
    /// and the source stays writable. A later backup to the destination (the copy deleted) is refused with a message that
    /// names exactly the files left, not the data file that became the copy.
    /// </summary>
    [Fact]
    public void Leftovers_of_a_finished_copy_do_not_fail_it_and_the_next_backup_names_exactly_those_files()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, TestDatabases.Quiet(), Source);
        db.Write(tx => tx.Put(tx.CreateKeyspace("k"), TestDatabases.Bytes("a"), TestDatabases.Bytes("b")));
        const string incomplete = Target + Database.IncompleteSuffix;
        fs.DeleteFault = path => path.StartsWith(incomplete, StringComparison.Ordinal) && fs.AllFiles().Contains(Target)
            ? new IOException("Input/output error", 5)
            : null;

        db.Backup(Target);

        fs.DeleteFault = null;
        var left = fs.AllFiles().Where(file => file.StartsWith(incomplete, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(incomplete, left);
        Assert.Contains(left, file => file.StartsWith(incomplete + "-wal/", StringComparison.Ordinal));
        using (var copy = TestDatabases.Open(fs, TestDatabases.Quiet(), Target))
        {
            using var read = copy.BeginRead();
            Assert.Equal("b", TestDatabases.Text(read.Get(read.GetKeyspace("k"), TestDatabases.Bytes("a"))));
        }

        db.Write(tx => tx.Put(tx.GetKeyspace("k"), TestDatabases.Bytes("c"), TestDatabases.Bytes("d")));

        ((IFileSystem)fs).DeleteFile(Target);
        var refused = Assert.Throws<StorageException>(() => db.Backup(Target));
        Assert.Equal(ErrorCode.DatabaseExists, refused.Code);
        Assert.Contains($", and the folder '{incomplete}-wal' is left by", refused.Message, StringComparison.Ordinal); // that alone
    }

    /// <summary>
    /// The rename of the finished copy to the destination fails: the backup throws a <see cref="StorageException"/>,
    /// nothing is left at the destination or under the copy's temporary name (its lock file neither, so a new backup to
    /// the destination goes ahead), and the source stays writable.
    /// </summary>
    [Fact]
    public void A_failed_rename_of_the_finished_copy_fails_the_backup_and_leaves_nothing_behind()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, TestDatabases.Quiet(), Source);
        db.Write(tx => tx.Put(tx.CreateKeyspace("k"), TestDatabases.Bytes("a"), TestDatabases.Bytes("b")));
        var failed = false;
        fs.RenameFault = (from, to) => from == Target + Database.IncompleteSuffix && to == Target && (failed = true)
            ? new IOException("Input/output error", 5)
            : null;

        Assert.Throws<StorageException>(() => db.Backup(Target));

        fs.RenameFault = null;
        Assert.True(failed);
        Assert.DoesNotContain(fs.AllFiles(), file => file.StartsWith(Target, StringComparison.Ordinal));
        Assert.False(db.IsReadOnly);
        db.Write(tx => tx.Put(tx.GetKeyspace("k"), TestDatabases.Bytes("c"), TestDatabases.Bytes("d")));
        db.Backup(Target);
    }

    /// <summary>
    /// A destination that names a folder, or lies in the source's log folder (where a file named as a segment would be
    /// taken for the source's log, and the log's recycling deletes segments), is refused before anything is written,
    /// for a backup and for a salvage alike.
    /// </summary>
    [Theory]
    [InlineData("/sim/folder/")]
    [InlineData("/sim/folder/.")]
    [InlineData("/sim/folder/..")]
    [InlineData(Source + "-wal/backup.db")]
    [InlineData(Source + "-wal/0000000000000009.wal")]
    [InlineData(Source + "-wal")]
    public void A_destination_that_is_a_folder_or_inside_the_sources_log_is_refused_and_nothing_is_written(string destination)
    {
        AssertRefusedAndNothingWritten(Source, destination);
    }

    /// <summary>
    /// Backs up the database at <paramref name="source"/> (one entry written) to <paramref name="destination"/>, and
    /// then salvages it there: both must refuse the destination as an argument and leave every file as it was.
    /// </summary>
    /// <returns>The backup's refusal.</returns>
    private static InvalidOptionsException AssertRefusedAndNothingWritten(string source, string destination)
    {
        var fs = new SimulatedFileSystem();
        InvalidOptionsException refused;
        using (var db = TestDatabases.Open(fs, TestDatabases.Quiet(), source)) // no background work: the files stay as they are
        {
            db.Write(tx => tx.Put(tx.CreateKeyspace("k"), TestDatabases.Bytes("a"), TestDatabases.Bytes("b")));
            var before = fs.AllFiles();

            refused = Assert.Throws<InvalidOptionsException>(() => db.Backup(destination));

            Assert.Equal("path", refused.Option);
            Assert.Equal(before, fs.AllFiles());
        }

        var files = fs.AllFiles();
        var salvage = Assert.Throws<InvalidOptionsException>(() => Database.Salvage(source, destination, null, fs, CancellationToken.None));
        Assert.Equal("destinationPath", salvage.Option);
        Assert.Equal(files, fs.AllFiles());
        return refused;
    }

    /// <summary>
    /// A shrink of the source while a backup copies it: most entries are deleted and the shrink relocates the pages left
    /// at the file's end, while the backup's snapshot still reads the pages of every entry (the file is cut only once
    /// the snapshot is gone). The copy holds the snapshot whole and passes the consistency check; the source keeps what
    /// was not deleted, and shrinks after the backup.
    /// </summary>
    [Fact]
    public void A_shrink_during_a_backup_leaves_the_copy_whole()
    {
        const int rows = 12_000;
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small();
        options.PageCacheBytes = 16 * 4096; // the copy reads the snapshot's pages from the file
        using var db = TestDatabases.Open(fs, options, Source);
        db.Write(tx => tx.CreateKeyspace("k"));
        for (var batch = 0; batch < rows; batch += 2000)
        {
            db.Write(tx =>
            {
                for (var i = batch; i < batch + 2000; i++)
                {
                    tx.Put(tx.GetKeyspace("k"), Row(i), new byte[i % 50 == 7 ? 6000 : 100]);
                }
            });
            db.Checkpoint();
        }

        db.BackupTransactionBytes = 4096;
        long shrunk = -1;
        fs.Fault = point =>
        {
            if (shrunk < 0 && point.Kind == FaultKind.Write && point.Path.StartsWith(Target, StringComparison.Ordinal))
            {
                shrunk = 0; // the copy has begun: its snapshot is open
                db.Write(tx =>
                {
                    for (var i = 0; i < rows * 4 / 5; i++)
                    {
                        tx.Delete(tx.GetKeyspace("k"), Row(i));
                    }
                });
                db.Checkpoint();
                shrunk = db.Shrink();
            }

            return null;
        };

        db.Backup(Target);

        fs.Fault = null;
        Assert.True(shrunk >= 0, "the shrink did not run during the backup");
        using (var copy = TestDatabases.Open(fs, options, Target))
        {
            TestDatabases.AssertConsistent(copy);
            using var read = copy.BeginRead();
            Assert.Equal(
                Enumerable.Range(0, rows).Select(i => (TestDatabases.Text(Row(i)), i % 50 == 7 ? 6000 : 100)),
                read.Scan(read.GetKeyspace("k")).Select(e => (TestDatabases.Text(e.Key), e.Value.Length)));
        }

        Assert.True(db.Shrink() > 0, "the source should shrink once the backup's snapshot is gone");
        TestDatabases.AssertConsistent(db);
        using var source = db.BeginRead();
        Assert.Equal(rows / 5, source.Count(source.GetKeyspace("k")));

        static byte[] Row(int i) => TestDatabases.Bytes($"row{i:D6}");
    }

    private static Database OpenSliding(FakeTimeProvider time)
    {
        var options = new DatabaseOptions { TimeProvider = time };
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        return Database.OpenInMemory(options);
    }

    private static UserCollection Users(Database db, FakeTimeProvider time)
    {
        var users = new UserCollection(db);
        for (var id = 1; id <= 3; id++)
        {
            users.Insert(new User { Id = id, Email = $"u{id}@example.com", Age = 30 + id, Name = "n" });
        }

        time.Advance(TimeSpan.FromSeconds(5));
        return users;
    }

    /// <summary>In a write transaction, a scan that stops after one document extends that one only, as it does outside one.</summary>
    [Fact]
    public void A_scan_in_a_write_transaction_extends_only_the_documents_enumerated()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = Users(db, time);

        db.Write(tx =>
        {
            Assert.Equal(1L, users.All(tx).First().Id);
            Assert.Equal(1L, users.ByAge.Range(31, 40, transaction: tx).First().Id);
        });
        time.Advance(TimeSpan.FromSeconds(5)); // 10 s: what was not read expires as written

        Assert.Equal([1L], users.Query().Select(u => u.Id));
    }

    /// <summary>In a write transaction, a query whose enumeration stops after one result extends that one only.</summary>
    [Fact]
    public void A_query_in_a_write_transaction_extends_only_the_documents_enumerated()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = Users(db, time);

        db.Write(tx =>
        {
            foreach (var user in users.Query(tx).Where(u => u.Age.AtLeast(31)))
            {
                Assert.Equal(1L, user.Id);
                break;
            }
        });
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([1L], users.Query().Select(u => u.Id));
    }
}
