using Persistence.Testing;

namespace Persistence.Tests.Regressions;

/// <summary>
/// Regression: versions were retired only by checkpoints, so every version since the last checkpoint (and every page
/// copy it reached) stayed in memory: gigabytes on workloads of small commits (found by the benchmark's W2 and W7).
/// </summary>
public sealed class VersionRetentionTests
{
    [Fact]
    public void Versions_are_released_as_soon_as_no_snapshot_pins_them()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small(new FakeTimeProvider());
        options.PageCacheBytes = 64L << 20;
        options.CheckpointWalBytes = 1L << 30; // no checkpoint during the test
        using var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        for (var i = 0; i < 1000; i++)
        {
            db.Write(tx => tx.Put(ks, BitConverter.GetBytes(i), new byte[100]));
        }

        Assert.Equal(0, db.GetStatistics().Checkpoints);
        Assert.True(db.Versions.RetainedVersions <= 2, $"{db.Versions.RetainedVersions} versions retained");

        var reader = db.BeginRead();
        for (var i = 0; i < 100; i++)
        {
            db.Write(tx => tx.Put(ks, BitConverter.GetBytes(i), new byte[100]));
        }

        Assert.True(db.Versions.RetainedVersions > 100, "a pinned snapshot keeps the versions after it");
        Assert.Equal(1000, reader.Scan(ks).Count());
        reader.Dispose();
        db.Write(tx => tx.Put(ks, [1], [1]));
        Assert.True(db.Versions.RetainedVersions <= 2, $"{db.Versions.RetainedVersions} versions retained after the reader ended");
        TestDatabases.AssertConsistent(db);
    }
}
