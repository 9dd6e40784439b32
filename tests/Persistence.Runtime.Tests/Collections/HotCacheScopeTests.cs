using Persistence.Testing;

namespace Persistence.Tests.Collections;

/// <summary>
/// A hot cache belongs to one open database: another database, even over a file of the same contents and keyspace ids,
/// and the same file reopened after a change made without a cache, start cold and read their own documents.
/// </summary>
public sealed class HotCacheScopeTests
{
    [Fact]
    public void Another_database_and_a_reopened_one_never_see_what_a_cache_held()
    {
        var fs = new SimulatedFileSystem();
        foreach (var (path, name) in new[] { ("/sim/a.db", "in a"), ("/sim/b.db", "in b") })
        {
            using var setup = TestDatabases.Open(fs, TestDatabases.Small(), path);
            new UserCollection(setup).Insert(new User { Id = 1, Email = "a@example.com", Name = name });
        }

        using (var a = TestDatabases.Open(fs, HotCacheRaceTests.Cached(8), "/sim/a.db"))
        using (var b = TestDatabases.Open(fs, HotCacheRaceTests.Cached(8), "/sim/b.db"))
        {
            var usersA = new UserCollection(a);
            Assert.Equal("in a", usersA.Get(1)!.Name);
            Assert.Equal("in a", usersA.Get(1)!.Name);
            Assert.Equal(1, a.GetStatistics().HotCacheHits); // cached in a

            var usersB = new UserCollection(b); // the same collection and keyspace ids, another database
            Assert.Equal("in b", usersB.Get(1)!.Name);
            Assert.Equal((0L, 1L), (b.GetStatistics().HotCacheHits, b.GetStatistics().HotCacheMisses));
        }

        using (var changer = TestDatabases.Open(fs, TestDatabases.Small(), "/sim/a.db"))
        {
            new UserCollection(changer).Update(new User { Id = 1, Email = "a@example.com", Name = "changed in a" });
        }

        using var reopened = TestDatabases.Open(fs, HotCacheRaceTests.Cached(8), "/sim/a.db");
        Assert.Equal("changed in a", new UserCollection(reopened).Get(1)!.Name);
        Assert.Equal((0L, 1L), (reopened.GetStatistics().HotCacheHits, reopened.GetStatistics().HotCacheMisses));
    }
}
