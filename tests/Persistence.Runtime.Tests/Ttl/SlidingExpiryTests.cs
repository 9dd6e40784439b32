using Persistence.Testing;
using Persistence.Tests.Collections;
using Persistence.Ttl;

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

    /// <summary>
    /// The flush interval bounds what a crash loses of the reads. A clean close lost them too: the reads since the last
    /// flush were dropped with the database, so after a restart the documents they had kept alive expired early.
    /// </summary>
    [Fact]
    public void A_clean_close_writes_the_reads_not_flushed_yet()
    {
        var (time, fs, db) = OpenWithAReadNotFlushed();
        db.Dispose();

        using var reopened = TestDatabases.Open(fs, Options(time));
        var again = new UserCollection(reopened);
        time.SetUtcNow(Start + TimeSpan.FromSeconds(14.9));
        Assert.True(again.Contains(1)); // Contains does not slide
        time.SetUtcNow(Start + TimeSpan.FromSeconds(15));
        Assert.False(again.Contains(1));
    }

    /// <summary>
    /// The close's write of the pending reads is its first write, on a disk that may be full: it fails, and the close
    /// still closes the files without throwing (the documents keep their stored expiries, as after a crash).
    /// </summary>
    [Fact]
    public void A_close_whose_write_of_the_reads_fails_still_closes_the_files()
    {
        var (time, fs, db) = OpenWithAReadNotFlushed();
        fs.Fault = p => p.Kind == FaultKind.Write ? new IOException("injected: disk full") : null;

        db.Dispose();

        fs.Fault = null;
        using var reopened = TestDatabases.Open(fs, Options(time)); // the lock was released
        var again = new UserCollection(reopened);
        time.SetUtcNow(Start + TimeSpan.FromSeconds(10));
        Assert.False(again.Contains(1));
    }

    /// <summary>A database on disk whose user 1, written at 0 s to expire at 10 s, was read at 5 s: it lives until 15 s, not flushed yet.</summary>
    private static (FakeTimeProvider Time, SimulatedFileSystem Fs, Database Db) OpenWithAReadNotFlushed()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, Options(time));
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(1));
        return (time, fs, db);
    }

    /// <summary>
    /// Two instances of one collection on one database (one per DI scope, say): only the first is registered with the
    /// collector, and each kept its own tracker, so reads through the second were never flushed and the collector
    /// deleted the documents they kept alive. The database now keeps one tracker per collection, shared by all.
    /// </summary>
    [Fact]
    public async Task Reads_through_a_second_instance_keep_a_document_alive_across_collection_passes()
    {
        var time = new FakeTimeProvider(Start);
        using var db = TestDatabases.Open(new SimulatedFileSystem(), Options(time));
        var first = new UserCollection(db); // the instance the collector knows
        var second = new UserCollection(db);
        first.Insert(new User { Id = 1, Email = "a@example.com" }); // expires at 10 s unless read
        for (var elapsed = 5; elapsed <= 60; elapsed += 5)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            Assert.NotNull(second.Get(1));
            Assert.Equal(0, await db.CollectExpiredAsync()); // flushes the reads, then collects
        }

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(first.Contains(1)); // 9 s after the last read, through the other instance: alive
        Assert.Equal(0, await db.CollectExpiredAsync());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(second.Contains(1)); // 10 s: expired
        Assert.Equal(1, await db.CollectExpiredAsync());
        Assert.Empty(first.CheckConsistency());
    }

    /// <summary>Before any flush, a read through one instance extends the document for every instance and for the collector.</summary>
    [Fact]
    public void A_read_through_one_instance_is_seen_by_another_and_by_the_collector_before_it_is_flushed()
    {
        var time = new FakeTimeProvider(Start);
        using var db = TestDatabases.Open(new SimulatedFileSystem(), Options(time));
        var first = new UserCollection(db);
        var second = new UserCollection(db);
        first.Insert(new User { Id = 1, Email = "a@example.com" }); // stored expiry: 10 s
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.NotNull(second.Get(1)); // alive until 18 s
        time.Advance(TimeSpan.FromSeconds(4));

        Assert.True(first.Contains(1)); // 12 s: past the stored expiry, within the read's extension
        Assert.Equal(0, ((ITtlCollection)first).CollectExpired(100, time.GetUtcNow())); // a pass without the flush before it
        Assert.True(first.Contains(1));
    }

    /// <summary>
    /// The background loop writes a second instance's reads every flush interval (the collection interval is an hour
    /// here, so no pass flushes them), and the extended expiry survives a reopen.
    /// </summary>
    [Fact]
    public void The_flush_interval_writes_a_second_instances_reads_and_the_extended_expiry_survives_a_reopen()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var options = Options(time);
        options.BackgroundWork = false; // no background checkpoint: only the flush commits
        options.Ttl.RunCollectorInBackground = true;
        options.Ttl.CollectorInterval = TimeSpan.FromHours(1);
        options.Ttl.SlidingFlushInterval = TimeSpan.FromMilliseconds(200);
        var db = TestDatabases.Open(fs, options);
        var first = new UserCollection(db); // starts the collector's loop
        var second = new UserCollection(db);
        first.Insert(new User { Id = 1, Email = "a@example.com" }); // stored expiry: 10 s
        time.Advance(TimeSpan.FromSeconds(4));
        // Counted before the read: the loop, woken by the step above, may flush it at once (nothing else commits here).
        var commits = db.GetStatistics().Commits;
        Assert.NotNull(second.Get(1)); // extends it to 14 s once written

        // The loop sleeps on the fake clock: move it a little at a time while it sleeps, giving its thread a moment after
        // each step. Once woken, the loop may wait for a starved thread pool for seconds: the clock waits with it (for at
        // most a minute), rather than run ahead. It stops before the extended expiry (the close records the clock, which
        // must stay before 13.9 s for the checks below).
        bool Flushed() => db.GetStatistics().Commits > commits;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!Flushed())
        {
            Assert.True(
                waited.Elapsed < TimeSpan.FromSeconds(60),
                $"the second instance's read was not flushed in {waited.Elapsed.TotalSeconds:F1} s, the clock at {time.GetUtcNow() - Start}");
            if (time.ArmedTimers > 0)
            {
                Assert.True(time.GetUtcNow() < Start + TimeSpan.FromSeconds(9), "the second instance's read was never flushed");
                time.Advance(TimeSpan.FromMilliseconds(25));
            }

            SpinWait.SpinUntil(Flushed, TimeSpan.FromMilliseconds(100));
        }

        db.Dispose();
        using var reopened = TestDatabases.Open(fs, Options(time));
        var users = new UserCollection(reopened);
        time.SetUtcNow(Start + TimeSpan.FromSeconds(13.9));
        Assert.True(users.Contains(1)); // the written expiry (14 s), not the insert's 10 s (Contains does not slide)
        time.SetUtcNow(Start + TimeSpan.FromSeconds(14));
        Assert.False(users.Contains(1));
    }
}
