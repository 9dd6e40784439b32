using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Regressions;

/// <summary>
/// A durable commit that writes nothing is still a commit after the buffered ones it read: acknowledging it promises
/// that they survive a power failure too. It returned at once, and a power failure took the buffered commit it had
/// read (the crash torture's buffered commits found it: seed 7, a durable transaction whose deletes all missed).
/// </summary>
public sealed class DurableCommitWithoutWritesTests
{
    [Fact]
    public void A_durable_commit_without_writes_makes_the_buffered_commits_it_read_durable()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Quiet());
        db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("k"), Bytes("key"), Bytes("buffered")), durability: Durability.Buffered);
        var seen = db.Write(tx => tx.ContainsKey(tx.GetKeyspace("k"), Bytes("key")), durability: Durability.Durable);
        Assert.True(seen);

        var afterPowerFailure = fs.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        db.Dispose();
        using var recovered = Open(afterPowerFailure, Quiet());
        using var read = recovered.BeginRead();
        Assert.True(read.TryGetKeyspace("k", out var keyspace) && read.ContainsKey(keyspace, Bytes("key")), "the buffered commit the durable one read was lost");
        AssertConsistent(recovered);
    }

    [Fact]
    public void A_commit_without_writes_syncs_only_when_durable_and_it_read_unsynced_commits()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs, Quiet());
        db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("k"), Bytes("key"), Bytes("buffered")), durability: Durability.Buffered);
        var syncs = db.Wal!.Syncs;
        db.Write(tx => tx.ContainsKey(tx.GetKeyspace("k"), Bytes("key")), durability: Durability.Buffered);
        Assert.Equal(syncs, db.Wal.Syncs);
        db.Write(tx => tx.ContainsKey(tx.GetKeyspace("k"), Bytes("key")), durability: Durability.Durable);
        Assert.Equal(syncs + 1, db.Wal.Syncs);
        db.Write(tx => tx.ContainsKey(tx.GetKeyspace("k"), Bytes("key")), durability: Durability.Durable);
        Assert.Equal(syncs + 1, db.Wal.Syncs); // everything it read is durable already
    }
}
