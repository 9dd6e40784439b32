using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Ttl;

public sealed class HotCacheTests
{
    private static Database Open(int maxCount = 50, TimeProvider? time = null)
    {
        var options = new DatabaseOptions { TimeProvider = time ?? TimeProvider.System };
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { HotCacheMaxCount = maxCount };
        return Database.OpenInMemory(options);
    }

    [Fact]
    public void A_snapshot_never_sees_a_cached_value_newer_or_older_than_itself()
    {
        using var db = Open();
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", Name = "v1" });
        Assert.Equal("v1", users.Get(1)!.Name);
        Assert.Equal("v1", users.Get(1)!.Name); // served from the cache now
        using var old = db.BeginRead();
        Assert.Equal("v1", users.Get(1, old)!.Name);
        users.Update(new User { Id = 1, Email = "a@example.com", Name = "v2" });
        Assert.Equal("v2", users.Get(1)!.Name); // the write is never masked by the cached v1
        Assert.Equal("v1", users.Get(1, old)!.Name); // and the old snapshot never sees v2
        Assert.Equal("v2", users.Get(1)!.Name);
        users.Delete(1);
        Assert.Null(users.Get(1));
        Assert.Equal("v1", users.Get(1, old)!.Name);
        db.Write(tx => tx.Put(tx.GetKeyspace("users"), users.EncodeKey(1), users.Encode(new User { Id = 1, Email = "a@example.com", Name = "raw" }).ToArray()));
        Assert.Equal("raw", users.Get(1)!.Name); // even a write below the collection is seen
        var stats = db.GetStatistics();
        Assert.True(stats.HotCacheHits > 0 && stats.HotCacheMisses > 0);
    }

    /// <summary>
    /// A cached instance a caller changes and writes back is dropped from the cache when the write starts: a write that
    /// is refused leaves readers the stored document, not the instance the caller changed, and one that commits is
    /// read back as committed. (Found by a review: the changed instance was served, its unique value included, after
    /// its update was refused.)
    /// </summary>
    [Fact]
    public void A_cached_instance_changed_and_written_back_is_never_served_again_even_when_the_write_is_refused()
    {
        using var db = Open();
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", Name = "v1" });
        users.Insert(new User { Id = 2, Email = "b@example.com", Name = "other" });
        _ = users.Get(1);
        var shared = users.Get(1)!;
        Assert.Same(shared, users.Get(1)); // served from the cache

        shared.Name = "changed";
        shared.Email = "b@example.com"; // taken by user 2
        Assert.Throws<UniqueConstraintException>(() => users.Update(shared));
        var reread = users.Get(1)!;
        Assert.NotSame(shared, reread);
        Assert.Equal(("v1", "a@example.com"), (reread.Name, reread.Email));
        Assert.Equal(1, users.ByEmail.Get("a@example.com")!.Id);

        var again = users.Get(1)!;
        Assert.Same(reread, again); // cached afresh
        again.Name = "v2";
        users.Update(again);
        Assert.Equal("v2", users.Get(1)!.Name);
        Assert.Empty(users.CheckConsistency());
    }

    [Fact]
    public void Instances_of_a_collection_share_one_cache_and_constructing_more_adds_nothing_to_every_commit()
    {
        using var db = Open();
        var first = new UserCollection(db);
        first.Insert(new User { Id = 1, Email = "a@example.com", Name = "v1" });
        Assert.Equal("v1", first.Get(1)!.Name); // a miss fills the cache
        Assert.True(db.TryGetWriteObservers(first.Documents.Id, out var observers));
        var observersBefore = observers.Length;
        for (var i = 0; i < 100; i++)
        {
            _ = new UserCollection(db); // as an application constructing its collection per request would
        }

        Assert.True(db.TryGetWriteObservers(first.Documents.Id, out observers));
        Assert.Equal(observersBefore, observers.Length);
        var second = new UserCollection(db);
        var hits = db.GetStatistics().HotCacheHits;
        Assert.Same(first.Get(1), second.Get(1)); // the instance the first one cached
        Assert.Equal(hits + 2, db.GetStatistics().HotCacheHits);
        second.Update(new User { Id = 1, Email = "a@example.com", Name = "v2" });
        Assert.Equal("v2", first.Get(1)!.Name); // a write through one instance is never masked in the other
    }

    [Fact]
    public void Expiry_is_never_masked_by_the_cache()
    {
        var time = new FakeTimeProvider();
        using var db = Open(time: time);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = time.GetUtcNow() + TimeSpan.FromSeconds(5) });
        Assert.NotNull(users.Get(1));
        Assert.NotNull(users.Get(1));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(users.Get(1));
    }

    [Fact]
    public void A_hot_set_that_fits_stays_cached_while_keys_read_once_pass_through()
    {
        using var db = Open(maxCount: 20);
        var users = new UserCollection(db);
        users.InsertMany(Enumerable.Range(0, 1000).Select(i => new User { Id = i, Email = $"u{i}@example.com" }));
        var hot = Enumerable.Range(0, 10).ToArray();
        foreach (var id in hot.Concat(hot))
        {
            Assert.NotNull(users.Get(id));
        }

        // Each round reads one key never read before (a miss that fills the cache past its bound) and then the hot set.
        var hitsBefore = db.GetStatistics().HotCacheHits;
        for (var round = 0; round < 200; round++)
        {
            Assert.NotNull(users.Get(100 + round));
            foreach (var id in hot)
            {
                Assert.NotNull(users.Get(id));
            }
        }

        Assert.Equal(200 * hot.Length, db.GetStatistics().HotCacheHits - hitsBefore); // every hot read hit
    }

    [Fact]
    public void Once_full_the_cache_admits_a_key_on_its_second_miss_only()
    {
        using var db = Open(maxCount: 20);
        var users = new UserCollection(db);
        users.InsertMany(Enumerable.Range(0, 200).Select(i => new User { Id = i, Email = $"u{i}@example.com" }));
        for (var id = 0; id < 20; id++)
        {
            Assert.NotNull(users.Get(id)); // replaces a marker of the insert, or (full of markers) is remembered
            Assert.NotNull(users.Get(id)); // by now admitted
        }

        var (hits, misses) = Counters(db);
        for (var id = 100; id < 150; id++)
        {
            Assert.NotNull(users.Get(id)); // full: read once, not admitted, so nothing hot is evicted
        }

        for (var id = 0; id < 20; id++)
        {
            Assert.NotNull(users.Get(id));
        }

        Assert.Equal((hits + 20, misses + 50), Counters(db));
        // The last key read once: its second miss finds it in the doorkeeper and admits it. (An earlier key of the fifty
        // may have lost its doorkeeper slot to a later one, by a chance that changes with the process's hash seed.)
        Assert.NotNull(users.Get(149));
        Assert.NotNull(users.Get(149));
        Assert.Equal((hits + 21, misses + 51), Counters(db));
    }

    [Fact]
    public void An_entry_past_its_time_to_live_is_reloaded_and_served_again()
    {
        var time = new FakeTimeProvider();
        var options = new DatabaseOptions { TimeProvider = time };
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { HotCacheMaxCount = 50, HotCacheTimeToLive = TimeSpan.FromSeconds(10) };
        using var db = Database.OpenInMemory(options);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", Name = "v1" });
        Assert.NotNull(users.Get(1)); // miss, fills
        Assert.NotNull(users.Get(1)); // hit
        Assert.Equal((1L, 1L), Counters(db));

        time.Advance(TimeSpan.FromSeconds(11));
        Assert.NotNull(users.Get(1)); // stale: a miss, which must refill the entry
        Assert.NotNull(users.Get(1)); // so this is a hit again
        Assert.NotNull(users.Get(1));
        Assert.Equal((3L, 2L), Counters(db));
    }

    private static (long Hits, long Misses) Counters(Database db) => (db.GetStatistics().HotCacheHits, db.GetStatistics().HotCacheMisses);

    [Fact]
    public async Task Under_concurrent_writers_every_read_matches_the_model_of_its_snapshot()
    {
        using var db = Open(maxCount: 20);
        var users = new UserCollection(db);
        const int keys = 40;
        users.InsertMany(Enumerable.Range(0, keys).Select(i => new User { Id = i, Email = $"u{i}@example.com", Name = "0" }));

        // The model: for each committed version, the name of every key. Each writer commit bumps one key's counter.
        var history = new System.Collections.Concurrent.ConcurrentDictionary<long, (int Key, string Name)>();
        var checks = 0;
        // 2 s, and on until 100 checks with a hot-cache hit among them (a loaded machine may do far fewer in 2 s), for at most a minute.
        var run = TestDatabases.RunFor(TimeSpan.FromSeconds(2), () => Volatile.Read(ref checks) > 100 && db.GetStatistics().HotCacheHits > 0);
        var writers = Enumerable.Range(0, 2).Select(w => Task.Factory.StartNew(() =>
        {
            var random = new Random(w);
            while (!run.Stop())
            {
                var id = random.Next(keys);
                var name = $"{w}-{random.Next()}";
                using var tx = db.BeginWrite();
                users.Update(new User { Id = id, Email = $"u{id}@example.com", Name = name }, tx);
                tx.OnSequenced(version => history[version] = (id, name));
                try
                {
                    tx.Commit();
                }
                catch (WriteConflictException)
                {
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            var random = new Random(100 + r);
            while (!run.Stop())
            {
                using var read = db.BeginRead();
                var id = random.Next(keys);
                var seen = users.Get(id, read)!.Name;
                var expected = history.Where(h => h.Key <= read.SnapshotVersion && h.Value.Key == id).OrderBy(h => h.Key).LastOrDefault().Value.Name ?? "0";
                Assert.Equal(expected, seen);
                Assert.Equal(seen, users.Get(id, read)!.Name); // repeatable, cached or not
                Interlocked.Increment(ref checks);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(writers.Concat(readers));
        Assert.True(checks > 100, $"only {checks} checks ran in {run}");
        Assert.True(db.GetStatistics().HotCacheHits > 0, $"no hot-cache hit in {checks} checks over {run}");
    }
}
