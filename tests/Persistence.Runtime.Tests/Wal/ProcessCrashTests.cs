using Persistence.Testing;

namespace Persistence.Tests.Wal;

/// <summary>
/// The process dies, the machine does not: the log's unflushed writes stay in the operating system's cache, where a
/// later power failure can still take them. Commits acknowledged after the reopen must survive that power failure.
/// </summary>
public sealed class ProcessCrashTests
{
    [Fact]
    public void A_durable_commit_after_a_process_crash_survives_a_power_failure_that_takes_the_recovered_log()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs);
        var value = new byte[2000];
        for (var i = 0; i < 60; i++)
        {
            // Buffered: acknowledged once written, not yet synced. 120 KB of them fill the first 64 KiB segment.
            db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("k"), BitConverter.GetBytes(i), value), durability: Durability.Buffered);
        }

        var afterProcessCrash = fs.AfterProcessCrash();
        db.Dispose(); // the instance the process held is gone; its files live on in afterProcessCrash

        var reopened = TestDatabases.Open(afterProcessCrash);
        reopened.Write(tx => tx.Put(tx.GetKeyspace("k"), "durable"u8.ToArray(), [1]), durability: Durability.Durable);

        var afterPowerFailure = afterProcessCrash.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        reopened.Dispose();
        using var recovered = TestDatabases.Open(afterPowerFailure);
        using var read = recovered.BeginRead();
        Assert.True(read.TryGet(read.GetKeyspace("k"), "durable"u8, out var got), "the durable commit acknowledged after the reopen was lost");
        Assert.Equal([1], got.ToArray());
        TestDatabases.AssertConsistent(recovered);
    }
}
