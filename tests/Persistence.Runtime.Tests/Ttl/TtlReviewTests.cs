using Persistence.Testing;
using Persistence.Tests.Collections;
using Persistence.Ttl;

namespace Persistence.Tests.Ttl;

/// <summary>Review findings on expiry, sliding expiry and the hot cache.</summary>
public sealed class TtlReviewTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Database OpenSliding(FakeTimeProvider time)
    {
        var options = new DatabaseOptions { TimeProvider = time };
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        return Database.OpenInMemory(options);
    }

    private static long StoredDocuments(Database db)
    {
        using var raw = db.BeginRead();
        return raw.Count(raw.GetKeyspace("users"));
    }

    /// <summary>
    /// A tiny positive share was accepted, and the collector's pause after a batch (the batch's time scaled by
    /// 1 / share - 1) overflowed TimeSpan; NaN passed the range check the same way.
    /// </summary>
    [Theory]
    [InlineData(1e-12)]
    [InlineData(0.0099)]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(1.5)]
    public void A_collector_share_below_one_percent_or_above_one_is_refused_at_open(double share)
    {
        var options = new DatabaseOptions();
        options.Ttl.MaxCollectorShare = share;
        var error = Assert.Throws<InvalidOptionsException>(() => Database.OpenInMemory(options));
        Assert.Equal("Ttl.MaxCollectorShare", error.Option);
        Assert.Contains("from 0.01 to 1", error.Message, StringComparison.Ordinal);

        options.Ttl.MaxCollectorShare = 0.01;
        using var db = Database.OpenInMemory(options);
    }

    /// <summary>A read's extension (in memory, not flushed yet) must not outlive a later write that shortens the expiry.</summary>
    [Fact]
    public async Task A_write_that_shortens_the_expiry_is_not_masked_by_an_earlier_unflushed_read()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(1)); // read at 5 s: would live until 15 s
        users.Update(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(6) }); // then told to expire at 6 s

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(users.Get(1));
        Assert.False(users.Contains(1));
        Assert.Equal(0, users.Count());
        Assert.Equal(1, await db.CollectExpiredAsync()); // the flush must not write the old read's extension onto the new version
        Assert.Equal(0, StoredDocuments(db));
        Assert.Empty(users.CheckConsistency());
    }

    /// <summary>A read of a deleted document must not extend the life of a new document inserted under its key.</summary>
    [Fact]
    public async Task A_read_of_a_deleted_document_does_not_extend_a_new_document_under_its_key()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(1));
        Assert.True(users.Delete(1));
        users.Insert(new User { Id = 1, Email = "b@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(6) });

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(users.Get(1));
        Assert.Null(users.ByEmail.Get("b@example.com"));
        Assert.Equal(1, await db.CollectExpiredAsync());
        Assert.Equal(0, StoredDocuments(db));
    }

    /// <summary>A snapshot older than a write reads the old version: that read extends nothing of the new one.</summary>
    [Fact]
    public async Task A_read_from_a_snapshot_older_than_a_write_does_not_extend_the_written_version()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        time.Advance(TimeSpan.FromSeconds(5));
        using (var old = db.BeginRead())
        {
            users.Update(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(6) });
            Assert.Null(users.Get(1, old)!.ExpiresAt); // the old version, read after the write committed
            await db.CollectExpiredAsync(); // a flush while the old snapshot is open
            Assert.NotNull(users.Get(1, old));
        }

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(users.Get(1));
        Assert.Equal(1, await db.CollectExpiredAsync());
        Assert.Equal(0, StoredDocuments(db));
    }

    /// <summary>
    /// A snapshot that sees a document alive through a pending read (past its stored expiry) keeps seeing it across the
    /// flush that writes the read: the flush forgot the read, and the snapshot, older than the flush's commit, read the
    /// stored expiry alone and lost the document it had just read.
    /// </summary>
    [Fact]
    public async Task A_snapshot_open_across_a_flush_keeps_the_document_a_read_kept_alive()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" }); // stored expiry: 10 s
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(1)); // alive until 15 s
        time.Advance(TimeSpan.FromSeconds(7));
        using (var old = db.BeginRead()) // at 12 s: past the stored expiry, within the read's
        {
            Assert.NotNull(users.Get(1, old));
            await db.CollectExpiredAsync(); // the flush writes 22 s; the snapshot does not see it
            Assert.NotNull(users.Get(1, old));
        }

        Assert.NotNull(users.Get(1));
    }

    /// <summary>A flushed read stays for the snapshots older than the flush's commit, is not written again, and goes once they close.</summary>
    [Fact]
    public void A_flushed_read_stays_for_older_snapshots_only_while_they_are_open()
    {
        long oldest = 0;
        var tracker = new AccessTracker(() => oldest).WithFloor(0);
        byte[] key = [1];
        var at5 = Start + TimeSpan.FromSeconds(5);
        tracker.Record(key, at5, snapshot: 3);
        oldest = 4;
        tracker.Flushed(tracker.Snapshot(), durableFrom: 5);
        Assert.Equal(at5, tracker.LatestAccess(key, 4)); // older than the flush's commit: needs the read
        Assert.Empty(tracker.Snapshot()); // written

        tracker.Flushed([], durableFrom: 0);
        Assert.Equal(1, tracker.Count); // still needed
        var at6 = Start + TimeSpan.FromSeconds(6);
        tracker.Record(key, at6, snapshot: 4); // a later read is written again
        Assert.Equal(at6.UtcTicks, Assert.Single(tracker.Snapshot()).Access.Ticks);
        oldest = 6;
        tracker.Flushed(tracker.Snapshot(), durableFrom: 6); // no snapshot older than the flush is open
        Assert.Equal(0, tracker.Count);
    }

    /// <summary>Reads still slide after the markers writes leave behind are flushed away.</summary>
    [Fact]
    public async Task Reads_after_a_write_still_extend_the_written_version()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        time.Advance(TimeSpan.FromSeconds(5));
        users.Update(new User { Id = 1, Email = "a@example.com", Name = "v2" }); // expires at 15 s
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("v2", users.Get(1)!.Name); // read at 10 s: lives until 20 s
        await db.CollectExpiredAsync();
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.NotNull(users.Get(1)); // 19 s, and read again: 29 s
        await db.CollectExpiredAsync();
        await db.CollectExpiredAsync();
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(1, users.Count());
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(0, users.Count());
        Assert.Equal(1, await db.CollectExpiredAsync());
    }

    /// <summary>Counting is not reading: a query's count must not slide, like Count, Contains and an index's Count.</summary>
    [Fact]
    public void A_query_count_does_not_extend_the_documents_it_counts()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", Age = 30 });
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, users.ByAge.Count(30));
        Assert.Equal(1, users.Query().Where(u => u.Age.Is(30)).Count()); // index path
        Assert.Equal(1, users.Query().Where(u => u.Name.Is("")).Count()); // full scan
        Assert.Equal(1, users.Query().Where(u => u.Id.Is(1)).Count()); // primary-key path
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(users.Get(1)); // expired at 10 s, as written
    }

    /// <summary>A query extends the documents it returns, not those its filter, sort or Skip only examined.</summary>
    [Fact]
    public void A_query_extends_only_the_documents_it_returns()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = new UserCollection(db);
        for (var id = 1; id <= 4; id++)
        {
            users.Insert(new User { Id = id, Email = $"u{id}@example.com", Age = 30 + id, Name = id == 2 ? "kept" : "other" });
        }

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal([2L], users.Query().Where(u => u.Name.Is("kept")).Select(u => u.Id)); // a full scan examines all four
        Assert.Equal([4L], users.Query().OrderBy(u => u.Age).Skip(3).Select(u => u.Id)); // sorted all, skipped three
        Assert.Equal([1L], users.Query().Where(u => u.Age.AtLeast(31)).Take(1).Select(u => u.Id)); // an index range, cut short
        time.Advance(TimeSpan.FromSeconds(5)); // 10 s: the documents no query returned expire as written

        Assert.Equal([1L, 2L, 4L], users.Query().Select(u => u.Id));
        Assert.Null(users.Get(3));
    }

    /// <summary>A disposed read transaction is refused whether or not the document is in the hot cache.</summary>
    [Fact]
    public void A_hot_cache_hit_does_not_serve_a_disposed_read_transaction()
    {
        var options = new DatabaseOptions();
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { HotCacheMaxCount = 10 };
        using var db = Database.OpenInMemory(options);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", Name = "v1" });
        users.Insert(new User { Id = 2, Email = "b@example.com", Name = "v1" });
        Assert.Equal("v1", users.Get(1)!.Name);
        Assert.Equal("v1", users.Get(1)!.Name); // cached
        var read = db.BeginRead();
        read.Dispose();
        var uncached = Assert.Throws<TransactionStateException>(() => users.Get(2, read));
        var cached = Assert.Throws<TransactionStateException>(() => users.Get(1, read));
        Assert.Equal(uncached.Code, cached.Code);
    }

    [Fact]
    public void A_collector_pass_that_throws_is_logged_the_loop_goes_on_and_dispose_still_closes_the_files()
    {
        var fs = new SimulatedFileSystem();
        var time = new FakeTimeProvider(Start);
        var logger = new CapturingLogger();
        var options = TestDatabases.Small(time);
        options.Logger = logger;
        var db = TestDatabases.Open(fs, options);
        var failing = new ThrowingCollection();
        db.Ttl.Register(failing); // starts the database's own collector loop

        // Before, the first exception ended the loop for good, and Dispose rethrew it before closing anything.
        var deadline = DateTime.UtcNow.AddSeconds(60); // a bound on a busy machine, not a timing
        while (Volatile.Read(ref failing.Passes) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the collector ran {failing.Passes} passes");
            time.Advance(options.Ttl.CollectorInterval);
            Thread.Sleep(1);
        }

        db.Dispose();
        Assert.True(logger.Has(13));
        using var reopened = TestDatabases.Open(fs, TestDatabases.Small(time)); // the lock was released
    }

    private sealed class ThrowingCollection : ITtlCollection
    {
        public int Passes;

        public string Name => "throwing";

        public int CollectExpired(int batchSize, DateTimeOffset now)
        {
            Interlocked.Increment(ref Passes);
            throw new InvalidOperationException("A document's setter threw while it was read back.");
        }

        public int FlushAccesses() => 0;
    }
}
