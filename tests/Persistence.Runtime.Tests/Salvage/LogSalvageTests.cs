using Persistence.Storage;
using Persistence.Testing;
using Persistence.Tests.Wal;
using static Persistence.Tests.Salvage.SalvageTesting;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Salvage;

/// <summary>
/// The log after the salvaged checkpoint: the longest run of intact commits is recovered, each whole and in order, and
/// where it ends the report tells damage (which the open refuses) from the torn end a crash leaves.
/// </summary>
public sealed class LogSalvageTests
{
    private const int SegmentSize = 64 << 10;

    private static int[] SalvagedKeys(SimulatedFileSystem fs)
    {
        using var db = TestDatabases.Open(fs, path: Target);
        AssertConsistent(db);
        return LogTailCheckTests.Keys(db);
    }

    [Fact]
    public void Damage_in_the_synced_log_that_the_open_refuses_salvages_to_exactly_the_commits_before_it()
    {
        var fs = LogTailCheckTests.TenCommits(Durability.Durable);
        LogTailCheckTests.Damage(fs, 3);
        Assert.Throws<CorruptionException>(() => TestDatabases.Open(fs));
        var before = Files(fs);

        var report = SalvageSource(fs);

        AssertUnchanged(before, fs);
        Assert.Throws<CorruptionException>(() => TestDatabases.Open(fs)); // nothing was repaired in place
        Assert.Equal([1, 2], SalvagedKeys(fs));
        using (var db = TestDatabases.Open(fs, path: Target))
        {
            using var read = db.BeginRead();
            Assert.Equal(Enumerable.Repeat((byte)0xA2, 300), read.Get(read.GetKeyspace("k"), [2])!);
        }

        Assert.Equal(2, report.CommitsRecovered);
        Assert.Equal(2, report.LastCommitVersion);
        Assert.Equal(report.LogEndLsn, report.LogDamageLsn); // the third commit's frame is the first that fails
        Assert.False(report.IsComplete);
        Assert.Contains(report.Findings, f => f.Contains($"damaged at LSN {report.LogDamageLsn}", StringComparison.Ordinal));
        Assert.Equal(2, Assert.Single(report.Keyspaces).KeysRecovered);
    }

    [Fact]
    public void A_commit_whose_last_frame_is_damaged_is_left_out_whole_with_every_commit_after_it()
    {
        var fs = new SimulatedFileSystem();
        var options = Small(new FakeTimeProvider());
        var db = TestDatabases.Open(fs, options);
        db.Write(tx => tx.Put(tx.CreateKeyspace("k"), [1], [1]));
        db.Write(tx => tx.Put(tx.GetKeyspace("k"), [2], [2]));
        db.Write(tx =>
        {
            // About 36 KB of puts without values: several frames, each ending between two operations, so that the
            // intact frames before the damaged last one would apply on their own.
            var keyspace = tx.GetKeyspace("k");
            for (var i = 0; i < 1000; i++)
            {
                tx.Put(keyspace, Bytes($"third-{i:D4}-".PadRight(32, 'x')), []);
            }
        });
        db.Write(tx => tx.Put(tx.GetKeyspace("k"), [3], [3]));
        db.Write(tx => tx.Put(tx.GetKeyspace("k"), [4], [4]));
        var image = fs.AfterProcessCrash();
        db.Dispose();
        var (segment, at) = Find(image, Bytes("third-0999-"));
        image.Corrupt(segment, at + 20, [0x00]);
        Assert.Throws<CorruptionException>(() => TestDatabases.Open(image.Clone()));

        var report = SalvageSource(image);

        Assert.Equal(["01", "02"], SalvagedContents(image)["k"].Keys); // none of the third commit's keys, though its first frames are intact
        Assert.Equal(2, report.CommitsRecovered);
        Assert.True(report.LogDamageLsn > report.LogEndLsn, $"damage at {report.LogDamageLsn}, log end {report.LogEndLsn}");
        Assert.False(report.IsComplete);
    }

    [Fact]
    public void A_missing_segment_before_later_ones_ends_the_salvage_at_the_segment_before_it()
    {
        var fs = new SimulatedFileSystem();
        var options = Quiet();
        options.PageCacheBytes = 4096 * 4096; // no checkpoint starts for dirty pages: it would recycle the segment
        var db = TestDatabases.Open(fs, options);
        var written = 0;
        while (db.Wal!.WrittenLsn < 4L * SegmentSize)
        {
            db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("k"), Bytes($"{written:D5}"), new byte[900]));
            written++;
        }

        var image = fs.AfterProcessCrash();
        db.Dispose();
        ((IFileSystem)image).DeleteFile(Source + "-wal/0000000000000002.wal");
        Assert.Throws<CorruptionException>(() => TestDatabases.Open(image.Clone(), options));

        var report = SalvageSource(image);

        Assert.Equal(2L * SegmentSize, report.LogDamageLsn);
        Assert.InRange(report.CommitsRecovered, 1, written - 1);
        using var salvaged = TestDatabases.Open(image, path: Target);
        AssertConsistent(salvaged);
        using var read = salvaged.BeginRead();
        var keys = new List<string>();
        using (var cursor = read.OpenCursor(read.GetKeyspace("k")))
        {
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                keys.Add(Text(cursor.Key));
            }
        }

        Assert.Equal(Enumerable.Range(0, report.CommitsRecovered).Select(i => $"{i:D5}"), keys); // a prefix of the commits, in order
        Assert.Contains(report.Findings, f => f.Contains("0000000000000002.wal", StringComparison.Ordinal));
    }

    [Fact]
    public void Damage_followed_only_by_commits_never_synced_is_the_log_end_as_for_the_open()
    {
        var fs = LogTailCheckTests.TenCommits(Durability.Buffered);
        LogTailCheckTests.Damage(fs, 3);
        var opened = OpenedContents(fs);

        var report = SalvageSource(fs);

        Assert.Equal(opened, SalvagedContents(fs));
        Assert.Equal([1, 2], SalvagedKeys(fs));
        Assert.Null(report.LogDamageLsn);
        Assert.True(report.IsComplete, report.ToString());
    }

    [Fact]
    public void A_commit_larger_than_the_bytes_held_while_validating_is_read_again_and_replayed_whole()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, Quiet());
        db.Write(tx =>
        {
            var keyspace = tx.CreateKeyspace("k");
            for (var i = 0; i < 60; i++)
            {
                tx.Put(keyspace, [(byte)i], Enumerable.Repeat((byte)i, 1500).ToArray());
            }
        });
        db.Write(tx => tx.Put(tx.GetKeyspace("k"), [200], [200]));
        var image = fs.AfterProcessCrash();
        db.Dispose();
        var options = Small();
        options.RecoveryHeldLogBytes = 4096;

        var report = SalvageSource(image, options);

        Assert.True(report.IsComplete, report.ToString());
        Assert.Equal(2, report.CommitsRecovered);
        Assert.Equal(OpenedContents(image), SalvagedContents(image));
    }

    private static (string Path, int Offset) Find(SimulatedFileSystem fs, ReadOnlySpan<byte> pattern)
    {
        foreach (var path in fs.AllFiles().Where(p => p.StartsWith(Source + "-wal/", StringComparison.Ordinal)))
        {
            var at = fs.ReadAllBytes(path).AsSpan().IndexOf(pattern);
            if (at >= 0)
            {
                return (path, at);
            }
        }

        throw new InvalidOperationException("the pattern is not in the log");
    }
}
