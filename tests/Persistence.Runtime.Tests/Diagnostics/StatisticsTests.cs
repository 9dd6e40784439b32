using Persistence.Testing;

namespace Persistence.Tests.Diagnostics;

public sealed class StatisticsTests
{
    [Fact]
    public void Statistics_report_commits_log_checkpoints_and_the_oldest_snapshot()
    {
        var fs = new SimulatedFileSystem();
        var time = new FakeTimeProvider();
        var options = TestDatabases.Small(time);
        options.PageCacheBytes = 64L << 20;
        using var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        for (var i = 0; i < 20; i++)
        {
            db.Write(tx => tx.Put(ks, BitConverter.GetBytes(i), new byte[200]));
        }

        var stats = db.GetStatistics();
        Assert.Equal(21, stats.Commits);
        Assert.Equal(21, stats.Version);
        Assert.Equal(21, stats.WalSyncs);
        Assert.Equal(1.0, stats.AverageBatchSize);
        Assert.True(stats.WalBytesSinceCheckpoint > 20 * 200);
        Assert.True(stats.CommitLatencyP50 > TimeSpan.Zero && stats.CommitLatencyP50 <= stats.CommitLatencyP99 && stats.CommitLatencyP99 <= stats.CommitLatencyMax);
        Assert.Equal(TimeSpan.Zero, stats.OldestSnapshotAge);

        db.Checkpoint(); // the pages the deletes below free are on disk, so the snapshot pins them
        using var reader = db.BeginRead();
        time.Advance(TimeSpan.FromSeconds(30));
        db.Write(tx =>
        {
            for (var i = 0; i < 20; i++)
            {
                tx.Delete(ks, BitConverter.GetBytes(i));
            }
        });
        db.Checkpoint();
        db.Checkpoint();
        stats = db.GetStatistics();
        Assert.True(stats.OldestSnapshotAge >= TimeSpan.FromSeconds(30), $"age {stats.OldestSnapshotAge}");
        Assert.True(stats.PinnedBytes > 0);
        Assert.True(stats.Checkpoints >= 1);
        Assert.Equal(0, stats.WalBytesSinceCheckpoint);
        reader.Dispose();
        db.Write(tx => tx.Put(ks, [1], [1]));
        Assert.Equal(TimeSpan.Zero, db.GetStatistics().OldestSnapshotAge);
    }
}
