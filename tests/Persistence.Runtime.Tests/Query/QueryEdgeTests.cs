using Persistence.Testing;

namespace Persistence.Tests.Query;

/// <summary>Query semantics at the edges of values and of what a query reads (review findings).</summary>
public sealed class QueryEdgeTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Any answers whether a document matches and hands none out: like Count and Contains, it must not count as a read
    /// of the document it finds, which in a sliding-expiration collection would keep it alive.
    /// </summary>
    [Fact]
    public void Any_does_not_extend_the_documents_it_finds()
    {
        var time = new FakeTimeProvider(Start);
        var options = new DatabaseOptions { TimeProvider = time };
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        using var db = Database.OpenInMemory(options);
        var users = new Persistence.Tests.Collections.UserCollection(db);
        users.Insert(new Persistence.Tests.Collections.User { Id = 1, Email = "a@example.com", Age = 30 });
        users.Insert(new Persistence.Tests.Collections.User { Id = 2, Email = "b@example.com", Age = 40 });
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(users.Query().Where(u => u.Age.Is(30)).Any()); // index path
        Assert.True(users.Query().Where(u => u.Name.Is("")).OrderBy(u => u.Age).Any()); // full scan, sorted
        Assert.True(users.Query().Where(u => u.Id.AtLeast(2)).Any()); // primary-key path
        Assert.False(users.Query().Where(u => u.Age.AtLeast(30)).Skip(2).Any());
        time.Advance(TimeSpan.FromSeconds(5)); // 10 s: both expire as written

        Assert.Equal(0, users.Count());
        Assert.Null(users.Get(1));
    }
}
