using System.Buffers.Binary;
using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Regressions;

/// <summary>
/// The open uses the valid meta page with the highest sequence, so a newest meta page damaged after its checkpoint
/// became durable (not torn while being written) made it fall back to the checkpoint before. That checkpoint's log had
/// been recycled by the newer one: the replay found its first segment missing, took that for the end of the log, and
/// the database opened on the older state, without the commits and keyspaces only the lost checkpoint held. Found by
/// <see cref="Storage.CorruptionFuzzTests"/> (seed 152: one bit of the newest meta page's checkpoint version).
/// </summary>
public sealed class DamagedNewestMetaTests
{
    private const int SegmentSize = 64 << 10;

    /// <summary>
    /// Two checkpoints with several segments of log before each (the second recycles the first's log), keyspace 'k'
    /// holding <c>r{round}-{i:D5}</c> keys of 900 bytes, keyspace 'newest' created just before the second; then one bit
    /// of the newest meta page's checkpoint version flipped: its checksum fails and the older one is valid. Returns how
    /// many keys each round wrote.
    /// </summary>
    internal static (SimulatedFileSystem Fs, int[] Written) NewestMetaDamagedAfterRecycling()
    {
        var fs = new SimulatedFileSystem();
        var written = new int[2];
        using (var db = TestDatabases.Open(fs, Quiet()))
        {
            var ks = db.Write(tx => tx.CreateKeyspace("k"));
            for (var round = 0; round < 2; round++)
            {
                // Several segments of log between the two checkpoints: the second recycles the first's.
                var stop = db.Wal!.WrittenLsn + (3L * SegmentSize);
                for (var i = 0; db.Wal.WrittenLsn < stop; i++)
                {
                    db.Write(tx => tx.Put(ks, Bytes($"r{round}-{i:D5}"), new byte[900]));
                    written[round]++;
                }

                if (round == 1)
                {
                    db.Write(tx => tx.CreateKeyspace("newest"));
                }

                Assert.True(db.Checkpoint());
            }
        }

        var file = fs.ReadAllBytes("/sim/test.db");
        var newest = Sequence(file, 0) > Sequence(file, 1) ? 0 : 1;
        fs.Corrupt("/sim/test.db", (newest * 4096) + 56, [(byte)(file[(newest * 4096) + 56] ^ 0x08)]);
        return (fs, written);
    }

    [Fact]
    public void A_damaged_newest_meta_whose_older_checkpoints_log_was_recycled_is_refused_not_opened_on_older_data()
    {
        var (fs, _) = NewestMetaDamagedAfterRecycling();
        var error = Assert.Throws<CorruptionException>(() => TestDatabases.Open(fs, Quiet()).Dispose());
        Assert.Equal(ErrorCode.Corruption, error.Code);
    }

    [Fact]
    public void A_torn_newest_meta_falls_back_to_the_checkpoint_before_and_replays_its_whole_log()
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Quiet()))
        {
            var ks = db.Write(tx => tx.CreateKeyspace("k"));
            db.Write(tx => tx.Put(ks, Bytes("a"), Bytes("1")));
            Assert.True(db.Checkpoint());
            db.Write(tx => tx.Put(ks, Bytes("b"), Bytes("2")));
            Assert.True(db.Checkpoint());
        }

        // Both checkpoints' logs are in segment 0, which nothing recycled: the older meta page and the log give it all.
        var file = fs.ReadAllBytes("/sim/test.db");
        var newest = Sequence(file, 0) > Sequence(file, 1) ? 0 : 1;
        fs.Corrupt("/sim/test.db", (newest * 4096) + 1000, [0xFF, 0xFF]);
        using var reopened = TestDatabases.Open(fs, Quiet());
        using var read = reopened.BeginRead();
        Assert.Equal("1", Text(read.Get(read.GetKeyspace("k"), Bytes("a"))));
        Assert.Equal("2", Text(read.Get(read.GetKeyspace("k"), Bytes("b"))));
        AssertConsistent(reopened);
    }

    internal static long Sequence(byte[] file, int slot) => BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan((slot * 4096) + 48));
}
