using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Storage;

/// <summary>
/// A sync of a directory that fails (<see cref="SimulatedFileSystem.SyncDirectoryFault"/>), at every place the engine
/// syncs one: the operation fails with a <see cref="StorageException"/>, a database whose own names are concerned stops
/// writing, and a backup or salvage whose copy's directory fails leaves the source as it was.
/// </summary>
public sealed class DirectorySyncFailureTests
{
    private const string Directory = "/sim";
    private const string DatabasePath = "/sim/test.db";
    private const string LogDirectory = "/sim/test.db-wal";
    private const int SegmentSize = 64 << 10; // TestDatabases.Small's

    [Fact]
    public void A_creation_whose_directory_sync_fails_throws_and_a_later_open_succeeds()
    {
        var fs = new SimulatedFileSystem();
        // Only the creation's sync (of the renamed file's name) fails: the open syncs the same directory again for the
        // log's name right after, and that sync succeeding must not hide the first one's failure.
        var refused = Refuse(fs, Directory, times: 1);

        var error = Assert.Throws<StorageException>(() => Open(fs, Quiet()));

        Assert.Equal(ErrorCode.IOError, error.Code);
        Assert.Single(refused);
        fs.SyncDirectoryFault = null;
        using var db = Open(fs, Quiet()); // the lock was released, and the creation's file is complete
        db.Write(tx => tx.Put(tx.CreateKeyspace("k"), Bytes("a"), Bytes("b")));
        AssertConsistent(db);
    }

    /// <summary>An open syncs the log directory's parent (the log's and the data file's own names), then the log directory (its listed segments).</summary>
    [Theory]
    [InlineData(Directory)]
    [InlineData(LogDirectory)]
    public void An_open_whose_directory_sync_fails_throws_and_writes_nothing(string directory)
    {
        var fs = new SimulatedFileSystem();
        using (var created = Open(fs, Quiet()))
        {
            created.Write(tx => tx.Put(tx.CreateKeyspace("k"), Bytes("a"), Bytes("b")));
        }

        var refused = Refuse(fs, directory);
        var error = Assert.Throws<StorageException>(() => Open(fs, Quiet()));

        Assert.Equal(ErrorCode.IOError, error.Code);
        Assert.Equal([directory], refused.Distinct());
        fs.SyncDirectoryFault = null;
        using var db = Open(fs, Quiet());
        using var read = db.BeginRead();
        Assert.Equal("b", Text(read.Get(read.GetKeyspace("k"), Bytes("a"))));
    }

    [Fact]
    public void A_new_log_segment_whose_directory_sync_fails_fails_the_commit_and_turns_read_only()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Quiet());
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var refused = Refuse(fs, LogDirectory);
        var acknowledged = 0;
        var stop = db.Wal!.WrittenLsn + (4L * SegmentSize);
        var error = Assert.ThrowsAny<PersistenceException>(() =>
        {
            while (db.Wal.WrittenLsn < stop)
            {
                db.Write(tx => tx.Put(ks, Bytes($"r{acknowledged:D5}"), new byte[900]));
                acknowledged++;
            }
        });

        Assert.NotEmpty(refused);
        Assert.True(db.IsReadOnly);
        Assert.Contains(Chain(db.ReadOnlyCause), e => e is StorageException { Code: ErrorCode.IOError });
        Assert.NotEqual(ErrorCode.None, error.Code);
        Assert.Throws<DatabaseReadOnlyException>(() => db.Write(tx => tx.Put(ks, Bytes("later"), Bytes("1"))));

        // Every acknowledged commit survives a power failure: none went into the segment whose name may not be durable.
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(3));
        db.Dispose();
        using var recovered = Open(image, Quiet());
        Assert.Equal(acknowledged, Count(recovered, "k"));
        AssertConsistent(recovered);
    }

    /// <summary>
    /// The checkpoint is durable when its recycling of the log fails to sync the directory, and the exception says so;
    /// the database stops writing all the same (<see cref="Persistence.Wal.WalSegments.Recycle"/> says why: the failure
    /// may belong to another name change in the directory). A reopen starts from that checkpoint, replaying nothing.
    /// </summary>
    [Fact]
    public void A_checkpoint_whose_log_recycling_fails_to_sync_reports_it_durable_and_turns_read_only()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Quiet());
        var written = FillSegments(db);
        var refused = Refuse(fs, LogDirectory);

        var error = Assert.Throws<StorageException>(() => db.Checkpoint());

        Assert.NotEmpty(refused);
        Assert.Equal(ErrorCode.IOError, error.Code);
        Assert.Contains("checkpoint is durable", error.Message, StringComparison.Ordinal);
        Assert.True(db.IsReadOnly);
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(5));
        db.Dispose();
        using var recovered = Open(image, Quiet());
        Assert.Equal(0, recovered.Recovered!.Commits);
        Assert.Equal(written, Count(recovered, "k"));
        AssertConsistent(recovered);
    }

    [Fact]
    public void A_shrink_whose_log_recycling_fails_to_sync_throws_and_turns_read_only()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs, Quiet());
        var written = FillSegments(db);
        Refuse(fs, LogDirectory);

        Assert.Throws<StorageException>(() => db.Shrink());

        Assert.True(db.IsReadOnly);
        Assert.Equal(written, Count(db, "k"));
    }

    [Fact]
    public void A_backup_whose_directory_sync_fails_throws_and_leaves_the_source_writable()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs, Quiet());
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Bytes("a"), Bytes("b")));
        var refused = Refuse(fs, "/backup");

        var error = Assert.Throws<StorageException>(() => db.Backup("/backup/copy.db"));

        Assert.NotEmpty(refused);
        Assert.Equal(ErrorCode.IOError, error.Code);
        Assert.False(db.IsReadOnly);
        db.Write(tx => tx.Put(ks, Bytes("c"), Bytes("d")));
        Assert.Equal(2, Count(db, "k"));
    }

    [Fact]
    public void A_salvage_whose_directory_sync_fails_throws_and_leaves_the_damaged_database_unchanged()
    {
        var fs = new SimulatedFileSystem();
        using (var db = Open(fs, Quiet()))
        {
            db.Write(tx => tx.Put(tx.CreateKeyspace("k"), Bytes("a"), Bytes("b")));
            db.Checkpoint();
        }

        var before = fs.AllFiles().Where(p => p.StartsWith(DatabasePath, StringComparison.Ordinal)).ToDictionary(p => p, fs.ReadAllBytes);
        var refused = Refuse(fs, "/salvaged");

        var error = Assert.Throws<StorageException>(() =>
            Database.Salvage(DatabasePath, "/salvaged/copy.db", Small(), fs, CancellationToken.None));

        Assert.NotEmpty(refused);
        Assert.Equal(ErrorCode.IOError, error.Code);
        Assert.All(before, file => Assert.Equal(file.Value, fs.ReadAllBytes(file.Key)));
    }

    /// <summary>Fails the first <paramref name="times"/> syncs of <paramref name="directory"/>; returns the list of those failed.</summary>
    private static List<string> Refuse(SimulatedFileSystem fs, string directory, int times = int.MaxValue)
    {
        var refused = new List<string>();
        fs.SyncDirectoryFault = path =>
        {
            if (path != directory || refused.Count >= times)
            {
                return null;
            }

            lock (refused)
            {
                refused.Add(path);
            }

            return new IOException("injected directory fsync failure");
        };
        return refused;
    }

    /// <summary>Commits until the log spans four more segments, so that a checkpoint deletes some beyond its spares.</summary>
    private static int FillSegments(Database db)
    {
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var stop = db.Wal!.WrittenLsn + (4L * SegmentSize);
        var written = 0;
        while (db.Wal.WrittenLsn < stop)
        {
            db.Write(tx => tx.Put(ks, Bytes($"r{written:D5}"), new byte[900]));
            written++;
        }

        return written;
    }

    private static long Count(Database db, string keyspace)
    {
        using var read = db.BeginRead();
        return read.Count(read.GetKeyspace(keyspace));
    }

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception;
        }
    }
}
