using Persistence.Storage;
using Persistence.Testing;
using static Persistence.Tests.Salvage.SalvageTesting;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Salvage;

/// <summary><see cref="Database.Salvage(string, string, DatabaseOptions?, CancellationToken)"/>: what it writes where, and what it refuses.</summary>
public sealed class SalvageTests
{
    /// <summary>
    /// A healthy database with a checkpoint and, after it, commits in the log only (the process died): keyspaces,
    /// inline and overflow values, deletes, a dropped and re-created keyspace.
    /// </summary>
    private static SimulatedFileSystem Healthy()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, Quiet());
        db.Write(tx =>
        {
            var alpha = tx.CreateKeyspace("alpha");
            for (var i = 0; i < 400; i++)
            {
                tx.Put(alpha, Bytes($"a{i:D4}"), Bytes($"value {i}"));
            }

            var beta = tx.CreateKeyspace("beta");
            for (var i = 0; i < 5; i++)
            {
                tx.Put(beta, [(byte)i], Enumerable.Repeat((byte)i, 10_000).ToArray()); // overflow values
            }

            tx.CreateKeyspace("empty");
        });
        Assert.True(db.Checkpoint());
        for (var i = 0; i < 20; i++)
        {
            db.Write(tx =>
            {
                var alpha = tx.GetKeyspace("alpha");
                tx.Delete(alpha, Bytes($"a{i * 7:D4}"));
                tx.Put(alpha, Bytes($"b{i:D4}"), new byte[i * 300]);
            });
        }

        db.Write(tx =>
        {
            tx.DeleteKeyspace(tx.GetKeyspace("beta"));
            tx.Put(tx.CreateKeyspace("beta"), Bytes("again"), Bytes("new"));
            tx.Put(tx.CreateKeyspace("gamma"), Bytes("g"), new byte[5000]);
        });
        var image = fs.AfterProcessCrash();
        db.Dispose();
        return image;
    }

    [Theory]
    [InlineData(16 << 20)]
    [InlineData(1000)] // the checkpoint's entries copied in many transactions
    public void A_healthy_database_salvages_to_exactly_what_it_opens_to_and_is_left_as_it_was(long transactionBytes)
    {
        var fs = Healthy();
        var expected = OpenedContents(fs);
        var before = Files(fs);

        var report = SalvageSource(fs, transactionBytes: transactionBytes);

        AssertUnchanged(before, fs);
        Assert.True(report.IsComplete, report.ToString());
        Assert.Empty(report.Findings);
        Assert.Null(report.LogDamageLsn);
        Assert.False(report.UsedOlderMetaPage);
        Assert.Equal(21, report.CommitsRecovered);
        Assert.Equal(report.CheckpointVersion + 21, report.LastCommitVersion);
        Assert.Equal(0, report.PagesSkipped + report.ValuesSkipped);
        Assert.Equal(expected, SalvagedContents(fs));
        Assert.Equal(expected.Keys, report.Keyspaces.Select(k => k.Name));
        Assert.Equal(expected.Values.Select(v => (long)v.Count), report.Keyspaces.Select(k => k.KeysRecovered));
        Assert.All(report.Keyspaces, k => Assert.Equal(0, k.KeysLost));
    }

    [Fact]
    public void A_database_on_disk_salvages_through_files_opened_read_only()
    {
        using var directory = new TempDirectory();
        var source = directory.File("app.db");
        using (var db = Database.Open(source))
        {
            db.Write(tx => tx.Put(tx.CreateKeyspace("k"), Bytes("a"), Bytes("1")));
            db.Checkpoint();
            db.Write(tx => tx.Put(tx.GetKeyspace("k"), Bytes("b"), new byte[20_000]));
        }

        var files = Directory.GetFiles(directory.Path, "app.db*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("-lock", StringComparison.Ordinal))
            .ToDictionary(f => f, File.ReadAllBytes);
        using (var readOnly = OsFileSystem.Instance.OpenRead(source))
        {
            var refused = Assert.Throws<StorageException>(() => readOnly.Write(0, [0])); // refused by the handle, even to root
            Assert.IsType<UnauthorizedAccessException>(refused.InnerException);
        }

        var report = Database.Salvage(source, directory.File("salvaged.db"));

        Assert.True(report.IsComplete, report.ToString());
        Assert.All(files, file => Assert.Equal(file.Value, File.ReadAllBytes(file.Key)));
        using var salvaged = Database.Open(directory.File("salvaged.db"));
        AssertConsistent(salvaged);
        using var read = salvaged.BeginRead();
        Assert.Equal("1", Text(read.Get(read.GetKeyspace("k"), Bytes("a"))));
        Assert.Equal(20_000, read.Get(read.GetKeyspace("k"), Bytes("b"))!.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-lock")]
    [InlineData("-wal/0000000000000000.wal")]
    public void A_destination_that_exists_is_refused_and_left_as_it_is(string file)
    {
        var fs = Healthy();
        var existing = Target + file;
        using (var handle = ((IFileSystem)fs).OpenFile(existing, create: true))
        {
            handle.Write(0, Bytes("someone else's"));
        }

        var before = Files(fs);
        var error = Assert.Throws<StorageException>(() => SalvageSource(fs));

        Assert.Equal(ErrorCode.DatabaseExists, error.Code);
        Assert.Equal("someone else's", Text(fs.ReadAllBytes(existing)));
        Assert.Equal([existing], fs.AllFiles().Where(p => p.StartsWith(Target, StringComparison.Ordinal)));
        AssertUnchanged(before, fs);
    }

    [Fact]
    public void The_damaged_database_itself_is_no_destination()
    {
        var fs = Healthy();
        var before = Files(fs);
        var error = Assert.Throws<StorageException>(() => Database.Salvage(Source, Source, Small(), fs, CancellationToken.None));
        Assert.Equal(ErrorCode.DatabaseExists, error.Code);
        AssertUnchanged(before, fs);
    }

    [Fact]
    public void A_database_open_in_another_instance_is_refused()
    {
        var fs = Healthy();
        using var open = TestDatabases.Open(fs, Quiet());
        var error = Assert.Throws<StorageException>(() => SalvageSource(fs));
        Assert.Equal(ErrorCode.DatabaseLocked, error.Code);
        Assert.DoesNotContain(fs.AllFiles(), p => p.StartsWith(Target, StringComparison.Ordinal));
    }

    [Fact]
    public void A_cancelled_salvage_deletes_what_it_wrote()
    {
        var fs = Healthy();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SalvageSource(fs, transactionBytes: 1000, cancellationToken: cancelled.Token));
        Assert.DoesNotContain(fs.AllFiles(), p => p.StartsWith(Target, StringComparison.Ordinal));
        SalvageSource(fs); // the destination is free again
    }
}
