using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Storage;

/// <summary>I/O errors and a full disk at every storage operation of a workload, then a power failure.</summary>
public sealed class FaultInjectionTests
{
    [Theory]
    [InlineData(InjectedFault.IOError)]
    [InlineData(InjectedFault.OutOfSpace)]
    public void A_fault_at_any_operation_aborts_cleanly_and_loses_nothing_acknowledged(InjectedFault fault)
    {
        var scenario = new CrashScenario(seed: 11, commits: 40);
        var total = scenario.CountOperations();
        var failures = new List<string>();
        for (var at = 0L; at < total; at++)
        {
            var outcome = scenario.Execute(at, (CrashMode)(at % 3), fault);
            if (!outcome.Passed)
            {
                failures.Add($"{fault} at {at}/{total}: {outcome.Detail}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
    }

    [Fact]
    public void A_failed_fsync_makes_the_database_read_only_and_is_never_retried()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Bytes("before"), Bytes("1")));
        // Every fsync fails from now on. The commit's own fsync fails, or (when the log's background preparation of its
        // next segment fsyncs first) the database is read-only before the commit gets there: either way it throws.
        var failed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        fs.Fault = point =>
        {
            if (point.Kind != FaultKind.Flush)
            {
                return null;
            }

            failed.Enqueue(point.Path);
            return new IOException("injected fsync failure");
        };
        var error = Assert.Throws<DatabaseReadOnlyException>(() => db.Write(tx => tx.Put(ks, Bytes("lost"), Bytes("1"))));
        Assert.Equal(ErrorCode.DatabaseReadOnly, error.Code);
        Assert.True(db.IsReadOnly);
        Assert.True(db.GetStatistics().IsReadOnly);
        Assert.Throws<DatabaseReadOnlyException>(() => db.BeginWrite());
        Assert.Throws<DatabaseReadOnlyException>(() => db.Checkpoint());
        Assert.Throws<DatabaseReadOnlyException>(() => db.Write(tx => tx.Put(ks, Bytes("again"), Bytes("1"))));

        using (var read = db.BeginRead())
        {
            Assert.True(read.ContainsKey(ks, Bytes("before")));
            Assert.False(read.ContainsKey(ks, Bytes("lost"))); // never acknowledged, never visible
        }

        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        db.Dispose();

        // At most the commit's segment and the segment being prepared in the background (which may still be on its way
        // when the database turns read-only) ever tried to fsync, each once: a failed fsync is never retried, not even
        // by closing. Checked once the database is closed and its background work has stopped: before, the background
        // preparation's failure can land between two reads of the queue.
        var paths = failed.ToArray();
        Assert.True(paths.Length is >= 1 and <= 2 && paths.Length == paths.Distinct().Count(), $"fsyncs failed on: {string.Join(", ", paths)}");
        using var recovered = TestDatabases.Open(image);
        using var after = recovered.BeginRead();
        Assert.True(after.ContainsKey(after.GetKeyspace("k"), Bytes("before")));
        AssertConsistent(recovered);
    }

    [Fact]
    public void A_corrupted_page_is_detected_never_returned_and_stops_writes()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs);
        db.Write(tx =>
        {
            var ks = tx.CreateKeyspace("k");
            for (var i = 0; i < 3000; i++)
            {
                tx.Put(ks, BitConverter.GetBytes(i), new byte[50]);
            }
        });
        db.Dispose();

        // Flip one byte in every data page after the metas: whichever page a read needs fails its checksum.
        var length = fs.ReadAllBytes("/sim/test.db").Length;
        for (var offset = 2 * 4096 + 100; offset < length; offset += 4096)
        {
            fs.Corrupt("/sim/test.db", offset, [0x5A]);
        }

        try
        {
            using var reopened = TestDatabases.Open(fs);
            using var read = reopened.BeginRead();
            var error = Assert.Throws<CorruptionException>(() => read.Scan(read.GetKeyspace("k")).ToList());
            Assert.Equal(ErrorCode.Corruption, error.Code);
            Assert.True(reopened.IsReadOnly);
            Assert.False(reopened.CheckConsistency().IsConsistent);
        }
        catch (CorruptionException error)
        {
            // The catalog or a root page was hit first: opening itself refuses.
            Assert.Equal(ErrorCode.Corruption, error.Code);
        }
    }
}
