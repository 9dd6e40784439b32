using Persistence.Testing;

namespace Persistence.Tests.Wal;

/// <summary>
/// A sync of the log fails, the process restarts and the machine does not. Linux marks the pages whose write-back
/// failed clean: the restarted process reads the frames from the cache, and its own fdatasync succeeds without writing
/// them. New commits chained onto them must still survive a power failure.
/// </summary>
public sealed class FailedLogSyncRestartTests
{
    [Fact]
    public void A_durable_commit_after_a_restart_survives_a_power_failure_when_the_log_before_it_failed_its_sync()
    {
        var options = TestDatabases.Quiet(); // no background work: the commits below are the only writes of the log
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, options);
        for (var i = 0; i < 5; i++)
        {
            db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("k"), BitConverter.GetBytes(i), new byte[100]), durability: Durability.Buffered);
        }

        var failed = 0;
        fs.Fault = point =>
            point.Kind == FaultKind.Flush && point.Path.Contains("-wal", StringComparison.Ordinal) && Interlocked.Increment(ref failed) == 1
                ? new IOException("injected fsync failure")
                : null;
        Assert.Throws<DatabaseReadOnlyException>(() =>
            db.Write(tx => tx.Put(tx.GetKeyspace("k"), "unknown"u8.ToArray(), [1]), durability: Durability.Durable));
        Assert.Equal(1, failed);
        var restarted = fs.AfterProcessCrash(); // the cache still holds the frames whose write-back failed
        db.Dispose();

        using (var reopened = TestDatabases.Open(restarted, options))
        {
            reopened.Write(tx => tx.Put(tx.GetKeyspace("k"), "acknowledged"u8.ToArray(), [2]), durability: Durability.Durable);
            var afterPowerFailure = restarted.AfterCrash(CrashMode.DropUnsynced, new Random(1));

            using var recovered = TestDatabases.Open(afterPowerFailure, options);
            using var read = recovered.BeginRead();
            var keyspace = read.GetKeyspace("k");
            Assert.True(read.TryGet(keyspace, "acknowledged"u8, out var got), "the durable commit acknowledged after the restart was lost");
            Assert.Equal([2], got.ToArray());
            for (var i = 0; i < 5; i++)
            {
                Assert.True(read.ContainsKey(keyspace, BitConverter.GetBytes(i)), $"buffered commit {i}, which the restart recovered and built on, was lost");
            }

            TestDatabases.AssertConsistent(recovered);
        }
    }
}
