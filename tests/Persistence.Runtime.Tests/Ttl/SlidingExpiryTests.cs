using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Ttl;

public sealed class SlidingExpiryTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DatabaseOptions Options(FakeTimeProvider time, bool sliding = true)
    {
        var options = TestDatabases.Small(time);
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = sliding };
        return options;
    }

    [Fact]
    public async Task Reads_keep_a_document_alive_without_a_write_per_read_and_it_expires_once_reads_stop()
    {
        var time = new FakeTimeProvider(Start);
        using var db = TestDatabases.Open(new SimulatedFileSystem(), Options(time));
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        var commitsAfterInsert = db.GetStatistics().Commits;
        for (var second = 0; second < 60; second += 5)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            Assert.NotNull(users.Get(1));
        }

        Assert.Equal(commitsAfterInsert, db.GetStatistics().Commits); // reads wrote nothing
        await db.CollectExpiredAsync(); // writes the batched access times
        Assert.Equal(commitsAfterInsert + 1, db.GetStatistics().Commits);
        Assert.Equal(1, users.Count());

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, users.Count()); // 9 s after the last read: alive
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(users.Get(1)); // 10 s: expired
        Assert.Equal(1, await db.CollectExpiredAsync());
        Assert.Empty(users.CheckConsistency());
    }

    [Fact]
    public async Task Without_sliding_a_default_lifetime_counts_from_the_write_and_a_write_renews_it()
    {
        var time = new FakeTimeProvider(Start);
        using var db = TestDatabases.Open(new SimulatedFileSystem(), Options(time, sliding: false));
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        users.Insert(new User { Id = 2, Email = "b@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(30) }); // its own expiry wins
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.NotNull(users.Get(1));
        users.Upsert(users.Get(1)!); // renewed: now + 10 s
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.NotNull(users.Get(1));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(users.Get(1));
        Assert.NotNull(users.Get(2));
        time.Advance(TimeSpan.FromSeconds(12));
        Assert.Null(users.Get(2));
        Assert.Equal(2, await db.CollectExpiredAsync());
        Assert.Empty(users.CheckConsistency());
    }

    /// <summary>
    /// After a crash, access times not yet written are lost: a document may expire early, by at most the flush
    /// interval plus the buffered-durability delay (the flush commits are buffered), never later than its reads imply.
    /// </summary>
    [Fact]
    public async Task After_a_crash_a_document_expires_at_most_one_flush_interval_early()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var options = Options(time);
        var db = TestDatabases.Open(fs, options);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" }); // durable; expires at 10 s unless read
        time.Advance(TimeSpan.FromSeconds(4));
        users.Get(1);
        await db.CollectExpiredAsync(); // flushed (a buffered commit): expiry now 14 s
        db.Write(tx => tx.Put(tx.GetKeyspace("users"), [0xFF], [0]), durability: Durability.Durable); // syncs the flush too
        time.Advance(TimeSpan.FromSeconds(options.Ttl.SlidingFlushInterval.TotalSeconds / 2));
        users.Get(1); // read at 4.5 s: would mean 14.5 s, but it is not flushed before the crash

        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        db.Dispose();
        using var recovered = TestDatabases.Open(image, Options(time));
        var again = new UserCollection(recovered);
        time.SetUtcNow(Start + TimeSpan.FromSeconds(13.9));
        Assert.True(again.Contains(1)); // the flushed expiry (14 s) survived (Contains is not a read that slides)
        time.SetUtcNow(Start + TimeSpan.FromSeconds(14));
        using var read = recovered.BeginRead();
        Assert.Null(again.Get(1, read)); // expired at 14 s: 0.5 s before the lost read implied, within the flush interval
        Assert.True(TimeSpan.FromSeconds(14.5) - TimeSpan.FromSeconds(14) <= options.Ttl.SlidingFlushInterval + options.BufferedFlushDelay);
    }
}
