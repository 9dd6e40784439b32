using Persistence.Collections;
using Persistence.Testing;

namespace Persistence.Tests.Collections;

/// <summary>
/// The hot cache's interleavings with commits, forced with hooks: a commit whose writes are being reported while the
/// cache is created, and a reader that read a version just before a commit and fills the cache after it.
/// </summary>
public sealed class HotCacheRaceTests
{
    /// <summary>Small options with "users" cached in a hot cache of <paramref name="maxCount"/> documents, and no background collector.</summary>
    internal static DatabaseOptions Cached(int maxCount)
    {
        var options = TestDatabases.Small();
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { HotCacheMaxCount = maxCount };
        return options;
    }

    /// <summary>
    /// A commit reports its writes to the observers registered when it reads them, before its version is linked. A cache
    /// created in between (the first instance of the collection constructed while another instance, a raw write or the
    /// collector commits) hears nothing of that commit, so its baseline must not be older than the commit's version:
    /// otherwise an older snapshot fills the key with what it reads, and every newer reader is served it. (Found by a
    /// review: the baseline was the latest version linked, read while the commit was between its reports and its link.)
    /// </summary>
    [Fact]
    public async Task A_cache_created_while_a_commit_reports_its_writes_never_serves_what_that_commit_replaced()
    {
        var fs = new SimulatedFileSystem();
        using (var first = TestDatabases.Open(fs))
        {
            new UserCollection(first).Insert(new User { Id = 1, Email = "a@example.com", Name = "v1" });
        }

        using var db = TestDatabases.Open(fs, Cached(8));
        var (users, old) = await CommitInReports.ConstructWhileACommitReports(db);
        using var _ = old;

        Assert.Equal("v1", users.Get(1, old)!.Name); // the old snapshot reads v1, and offers it to the cache
        Assert.Equal("v2", users.Get(1)!.Name);
        Assert.Equal("v2", users.Get(1)!.Name);
    }

    /// <summary>
    /// A reader that read the key's stored version before a commit replaced it, and offers what it decoded to the cache
    /// after the commit, fills nothing: the commit's marker, or once the marker is evicted the baseline it raised, is
    /// newer than the reader's snapshot. Readers after the commit read the new version; the reader's snapshot still
    /// reads the old one.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reader_that_read_before_a_commit_and_fills_after_it_leaves_nothing_stale(bool markerEvicted)
    {
        using var db = Database.OpenInMemory(Cached(2));
        var users = new UserCollection(db);
        users.InsertMany(Enumerable.Range(1, 5).Select(i => new User { Id = i, Email = $"u{i}@example.com", Name = "v1" }));

        using var decoding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = 0;
        var hooked = new HookedUsers(db, () =>
        {
            if (Environment.CurrentManagedThreadId == Volatile.Read(ref holder))
            {
                decoding.Set();
                release.Wait();
            }
        });

        using var old = db.BeginRead();
        var reader = TestDatabases.Dedicated(() =>
        {
            Volatile.Write(ref holder, Environment.CurrentManagedThreadId);
            return hooked.Get(1, old)!.Name; // read from the store, then stopped while it decodes
        });
        Assert.True(decoding.Wait(TimeSpan.FromMinutes(1)));
        users.Update(new User { Id = 1, Email = "u1@example.com", Name = "v2" });
        if (markerEvicted)
        {
            for (var id = 2; id <= 5; id++)
            {
                Assert.NotNull(users.Get(id)); // misses that fill the cache of two past the marker of user 1
                Assert.NotNull(users.Get(id));
            }
        }

        release.Set();
        Assert.Equal("v1", await reader);
        Assert.Equal("v2", users.Get(1)!.Name);
        Assert.Equal("v2", users.Get(1)!.Name);
        Assert.Equal("v1", users.Get(1, old)!.Name);
    }

    /// <summary>"users" whose schema calls <paramref name="onDecode"/> on every document it decodes; it shares the cache of <see cref="UserCollection"/>.</summary>
    private sealed class HookedUsers(Database database, Action onDecode)
        : Collection<User, long>(database, new HookedUserSchema(expires: true, UserSchema.Instance.Indexes, onDecode));

    /// <summary>
    /// The creator of a cache reads its baseline under the sequencer's lock and sets it after leaving that lock, so a
    /// commit sequenced in between may report a key and have its marker evicted first: the eviction's raise of the
    /// baseline must survive the baseline being set, or a reader older than that commit admits the key under the older
    /// baseline and every newer reader is served what the commit replaced.
    /// </summary>
    [Fact]
    public void A_baseline_set_after_an_eviction_keeps_the_raise_of_the_evicted_marker()
    {
        var cache = new DocumentCache<string>(maxCount: 1, maxBytes: 0, timeToLive: null, new FakeTimeProvider(DateTimeOffset.UnixEpoch), long.MaxValue);
        byte[] a = [1], b = [2];
        cache.Written(a, 5);
        cache.Written(b, 6); // over the count: one of the two markers is evicted
        cache.WithBaseline(3); // the version read before those commits were sequenced

        foreach (var key in new[] { a, b })
        {
            cache.Fill(key, snapshot: 4, "replaced", size: 1); // read before either write: a first miss...
            cache.Fill(key, snapshot: 4, "replaced", size: 1); // ...and a second, which a full cache admits
            Assert.False(cache.TryGet(key, snapshot: 10, out _, out _));
        }
    }
}
