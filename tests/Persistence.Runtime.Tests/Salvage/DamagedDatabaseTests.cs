using Persistence.Storage;
using Persistence.Testing;
using Persistence.Tests.Regressions;
using static Persistence.Tests.Salvage.SalvageTesting;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Salvage;

/// <summary>The checkpoint a salvage starts from: the newest whose meta page and catalog verify, or none at all.</summary>
public sealed class DamagedDatabaseTests
{
    /// <summary>'k' holds a = 1 at one checkpoint and b = 2 at the next; both checkpoints' logs are in the first segment.</summary>
    private static SimulatedFileSystem TwoCheckpoints()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, Quiet());
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Bytes("a"), Bytes("1")));
        Assert.True(db.Checkpoint());
        db.Write(tx => tx.Put(ks, Bytes("b"), Bytes("2")));
        Assert.True(db.Checkpoint());
        return fs;
    }

    /// <summary>The two meta pages of the source, newest first, with the slot each is in.</summary>
    private static ((MetaPage Meta, int Slot) Newest, (MetaPage Meta, int Slot) Older) Metas(SimulatedFileSystem fs)
    {
        var file = fs.ReadAllBytes(Source);
        var slots = Enumerable.Range(0, 2).Select(slot => (Meta: MetaPage.TryDecode(file.AsSpan(slot * 4096, 4096), new PageId(slot), out _)!, Slot: slot)).ToArray();
        return slots[0].Meta.Sequence > slots[1].Meta.Sequence ? (slots[0], slots[1]) : (slots[1], slots[0]);
    }

    [Fact]
    public void A_damaged_newest_meta_whose_older_log_was_recycled_gives_the_older_checkpoint_and_the_commits_left_after_it()
    {
        var (fs, written) = DamagedNewestMetaTests.NewestMetaDamagedAfterRecycling();
        Assert.Throws<CorruptionException>(() => TestDatabases.Open(fs.Clone(), Quiet()));
        var before = Files(fs);

        var report = SalvageSource(fs);

        AssertUnchanged(before, fs);
        Assert.True(report.UsedOlderMetaPage);
        Assert.NotNull(report.LogDamageLsn); // the log of the older checkpoint breaks where the newer one recycled it
        Assert.False(report.IsComplete);
        var contents = SalvagedContents(fs);
        Assert.Equal(["k"], contents.Keys); // 'newest' was created after the older checkpoint, in the lost part of the log
        var keys = contents["k"].Keys.Select(k => Text(Convert.FromHexString(k))).ToList();
        var recovered = Enumerable.Range(0, written[0]).Select(i => $"r0-{i:D5}")
            .Concat(Enumerable.Range(0, report.CommitsRecovered).Select(i => $"r1-{i:D5}"));
        Assert.Equal(recovered, keys); // every key of the older checkpoint, then a prefix of the later commits, in order
        Assert.InRange(report.CommitsRecovered, 0, written[1] - 1);
        Assert.Contains(report.Findings, f => f.StartsWith("Meta page", StringComparison.Ordinal));
    }

    [Fact]
    public void A_torn_newest_meta_with_the_whole_log_behind_it_salvages_everything_the_open_gives()
    {
        var fs = TwoCheckpoints();
        var (newest, older) = Metas(fs);
        fs.Corrupt(Source, (newest.Slot * 4096) + 1000, [0xFF, 0xFF]);
        var opened = OpenedContents(fs, Quiet());

        var report = SalvageSource(fs);

        Assert.Equal(opened, SalvagedContents(fs));
        Assert.Equal(["1", "2"], SalvagedContents(fs)["k"].Values.Select(v => Text(Convert.FromHexString(v))));
        Assert.True(report.UsedOlderMetaPage);
        Assert.Equal(older.Meta.Sequence, report.CheckpointSequence);
        Assert.Equal(1, report.CommitsRecovered); // b = 2, from the log the newer checkpoint had not recycled
        Assert.True(report.IsComplete, report.ToString());
    }

    [Fact]
    public void A_newest_checkpoint_whose_catalog_fails_falls_back_to_the_older_meta_page()
    {
        var fs = TwoCheckpoints();
        var (newest, older) = Metas(fs);
        Assert.NotEqual(newest.Meta.CatalogPage, older.Meta.CatalogPage);
        fs.Corrupt(Source, (newest.Meta.CatalogPage.Value * 4096) + 100, [0xAB]);
        Assert.Throws<CorruptionException>(() => TestDatabases.Open(fs.Clone(), Quiet()));
        var before = Files(fs);

        var report = SalvageSource(fs);

        AssertUnchanged(before, fs);
        Assert.True(report.UsedOlderMetaPage);
        Assert.Equal(older.Meta.Sequence, report.CheckpointSequence);
        Assert.Equal(["1", "2"], SalvagedContents(fs)["k"].Values.Select(v => Text(Convert.FromHexString(v))));
        Assert.Contains(report.Findings, f => f.Contains($"catalog of checkpoint {newest.Meta.Sequence}", StringComparison.Ordinal));
        Assert.True(report.IsComplete, report.ToString()); // the log since the older checkpoint holds what the newer one did
    }

    [Fact]
    public void Both_meta_pages_damaged_leave_nothing_to_start_from_and_nothing_is_written()
    {
        var fs = TwoCheckpoints();
        fs.Corrupt(Source, 1000, [0xFF]);
        fs.Corrupt(Source, 4096 + 1000, [0xFF]);
        var before = Files(fs);

        var error = Assert.Throws<CorruptionException>(() => SalvageSource(fs));

        Assert.Equal(ErrorCode.Corruption, error.Code);
        AssertUnchanged(before, fs);
        Assert.DoesNotContain(fs.AllFiles(), p => p.StartsWith(Target, StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_that_is_no_database_is_refused()
    {
        var fs = new SimulatedFileSystem();
        using (var file = ((IFileSystem)fs).OpenFile(Source, create: true))
        {
            file.Write(0, new byte[3 * 4096]);
        }

        var error = Assert.Throws<DatabaseFormatException>(() => SalvageSource(fs));
        Assert.Equal(ErrorCode.NotADatabase, error.Code);
        Assert.DoesNotContain(fs.AllFiles(), p => p.StartsWith(Target, StringComparison.Ordinal));
    }
}
