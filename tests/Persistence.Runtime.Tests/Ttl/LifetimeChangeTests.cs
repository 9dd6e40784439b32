using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Ttl;

/// <summary>Expiries already written survive a change of the collection's configured default lifetime across a reopen.</summary>
public sealed class LifetimeChangeTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly SimulatedFileSystem _fs = new();

    [Fact]
    public async Task Removing_the_default_lifetime_keeps_the_expiries_documents_were_written_with()
    {
        using (var db = Open(TimeSpan.FromSeconds(10)))
        {
            new UserCollection(db).Insert(new User { Id = 1, Email = "a@example.com" }); // expires by the default, in 10 s
        }

        using (var db = Open(defaultLifetime: null))
        {
            var users = new UserCollection(db);
            users.Insert(new User { Id = 2, Email = "b@example.com" }); // no default any more: never expires
            Assert.NotNull(users.Get(1));

            _time.Advance(TimeSpan.FromSeconds(10));
            Assert.Null(users.Get(1));
            Assert.Null(users.ByEmail.Get("a@example.com"));
            Assert.Equal(1, users.Count());
            Assert.Equal(1, await db.CollectExpiredAsync());
            Assert.Empty(users.CheckConsistency());

            _time.Advance(TimeSpan.FromDays(365));
            Assert.NotNull(users.Get(2));
        }
    }

    [Fact]
    public void Adding_a_default_lifetime_keeps_the_member_expiries_written_before()
    {
        var expiry = _time.GetUtcNow() + TimeSpan.FromMinutes(5);
        using (var db = Open(defaultLifetime: null))
        {
            var users = new UserCollection(db);
            users.Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = expiry });
            users.Insert(new User { Id = 2, Email = "b@example.com" }); // no member value, no default: immortal
        }

        using (var db = Open(TimeSpan.FromDays(1)))
        {
            var users = new UserCollection(db);
            _time.Advance(TimeSpan.FromMinutes(5));
            Assert.Null(users.Get(1)); // its member's expiry still holds
            Assert.NotNull(users.Get(2)); // written with no lifetime; the new default applies to new writes only

            users.Update(new User { Id = 2, Email = "b@example.com" }); // now it gets the default
            _time.Advance(TimeSpan.FromDays(1));
            Assert.Null(users.Get(2));
        }
    }

    private Database Open(TimeSpan? defaultLifetime)
    {
        var options = TestDatabases.Small(_time);
        options.Ttl.RunCollectorInBackground = false;
        if (defaultLifetime is { } lifetime)
        {
            options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = lifetime };
        }

        return TestDatabases.Open(_fs, options);
    }
}
