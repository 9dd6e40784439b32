using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Ttl;

/// <summary>Expired documents are invisible to every read path from their expiry instant, measured on the snapshot's clock.</summary>
public sealed class ExpiryTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly Database _db;
    private readonly UserCollection _users;

    public ExpiryTests()
    {
        var options = new DatabaseOptions { TimeProvider = _time };
        options.Ttl.RunCollectorInBackground = false;
        _db = Database.OpenInMemory(options);
        _users = new UserCollection(_db);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void A_document_is_visible_one_tick_before_its_expiry_and_invisible_at_it_on_every_read_path()
    {
        var expiry = Start + TimeSpan.FromMinutes(5);
        _users.Insert(new User { Id = 1, Email = "a@example.com", Age = 30, ExpiresAt = expiry });
        _users.Insert(new User { Id = 2, Email = "b@example.com", Age = 30 });

        _time.Advance(expiry - Start - TimeSpan.FromTicks(1));
        AssertVisible(true);
        using var before = _db.BeginRead(); // a snapshot taken one tick before keeps seeing it

        _time.Advance(TimeSpan.FromTicks(1));
        AssertVisible(false);
        Assert.NotNull(_users.Get(1, before));
        Assert.Equal(2, _users.Count(before));
    }

    [Fact]
    public void The_clock_moving_backwards_does_not_resurrect_an_expired_document()
    {
        _users.Insert(new User { Id = 1, Email = "a@example.com", Age = 30, ExpiresAt = Start + TimeSpan.FromSeconds(10) });
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Null(_users.Get(1));
        _time.SetUtcNow(Start); // the wall clock jumps back
        Assert.Null(_users.Get(1));
        _time.SetUtcNow(Start + TimeSpan.FromHours(1)); // and forward
        Assert.Null(_users.Get(1));
        Assert.Equal(0, _users.Count());
    }

    [Fact]
    public async Task The_collector_removes_only_expired_documents_through_the_normal_delete_path()
    {
        for (var i = 0; i < 95; i++)
        {
            _users.Insert(new User { Id = i, Email = $"u{i}@example.com", Age = 20 + (i % 5), ExpiresAt = i % 2 == 0 ? Start + TimeSpan.FromSeconds(i) : null });
        }

        _db.Options.Ttl.BatchSize = 10;
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(69, _users.Count()); // i = 0, 2, ..., 50 expire by second 50 (inclusive): 26 documents
        var removed = await _db.CollectExpiredAsync();
        Assert.Equal(26, removed);
        Assert.Equal(69, _users.Count());
        Assert.Empty(_users.CheckConsistency());
        Assert.Equal(0, await _db.CollectExpiredAsync());
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(22, await _db.CollectExpiredAsync()); // the rest of the even ones: 52 ... 94
        Assert.Equal(47, _users.Count());
        Assert.All(_users.All(), u => Assert.Null(u.ExpiresAt));
        Assert.Empty(_users.CheckConsistency());
        TestDatabases.AssertConsistent(_db);
    }

    [Fact]
    public void Changing_or_removing_an_expiry_moves_or_drops_its_entry()
    {
        var user = new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(5) };
        _users.Insert(user);
        user.ExpiresAt = Start + TimeSpan.FromSeconds(50);
        _users.Update(user);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.NotNull(_users.Get(1));
        user.ExpiresAt = null;
        _users.Update(user);
        _time.Advance(TimeSpan.FromSeconds(100));
        Assert.NotNull(_users.Get(1));
        Assert.Empty(_users.CheckConsistency());
    }

    [Fact]
    public void An_expired_document_frees_its_key_and_its_unique_values()
    {
        _users.Insert(new User { Id = 1, Email = "taken@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(1) });
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(_users.Delete(1)); // expired: there was none to delete
        _users.Insert(new User { Id = 2, Email = "taken@example.com" }); // the expired one's unique value is free
        _users.Insert(new User { Id = 3, Email = "other@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(3) });
        _time.Advance(TimeSpan.FromSeconds(5));
        _users.Insert(new User { Id = 3, Email = "other@example.com" }); // and its key
        Assert.Throws<DocumentException>(() => _users.Update(new User { Id = 4, Email = "x@example.com" }));
        Assert.Equal(2, _users.Count());
        Assert.Empty(_users.CheckConsistency());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the insert checks its key when it puts the document, and looks it up again when one is there
    public void An_insert_over_an_expired_document_replaces_it_and_over_a_live_one_is_refused(bool large)
    {
        _users.Insert(new User { Id = 1, Email = "old@example.com", Age = 20, ExpiresAt = Start + TimeSpan.FromSeconds(1) });
        _users.Insert(new User { Id = 2, Email = "live@example.com", Age = 21 });
        _time.Advance(TimeSpan.FromSeconds(2));

        using (var tx = _db.BeginWrite())
        {
            if (large)
            {
                tx.CreateKeyspace("promotes"); // the transaction works on its private tree
            }

            _users.Insert(new User { Id = 1, Email = "new@example.com", Age = 22 }, tx);
            var duplicate = Assert.Throws<DocumentException>(() => _users.Insert(new User { Id = 2, Email = "another@example.com" }, tx));
            Assert.Equal(ErrorCode.DuplicateKey, duplicate.Code);
            _users.Insert(new User { Id = 3, Email = "old@example.com", Age = 23 }, tx); // the expired one's value went with it
            Assert.Empty(_users.CheckConsistency(tx));
            tx.Commit();
        }

        Assert.Equal("new@example.com", _users.Get(1)?.Email);
        Assert.Null(_users.ByEmail.Get("another@example.com"));
        Assert.Equal(3, _users.ByEmail.Get("old@example.com")?.Id);
        Assert.Equal([1], _users.ByAge.Find(22).Select(u => u.Id));
        Assert.Empty(_users.ByAge.Find(20));
        Assert.Equal(3, _users.Count());
        Assert.Empty(_users.CheckConsistency());
    }

    private void AssertVisible(bool visible)
    {
        Assert.Equal(visible, _users.Get(1) is not null);
        Assert.Equal(visible, _users.TryGet(1, out _));
        Assert.Equal(visible, _users.Contains(1));
        Assert.Equal(visible, _users.ByEmail.Get("a@example.com") is not null);
        Assert.Equal(visible ? 2 : 1, _users.ByAge.Find(30).Count());
        Assert.Equal(visible ? 2 : 1, _users.ByAge.Count(30));
        Assert.Equal(visible ? 2 : 1, _users.Count());
        Assert.Equal(visible ? 2 : 1, _users.All().Count());
        Assert.Equal(visible ? 2 : 1, _users.Query().Where(u => u.Age.Is(30)).Count());
        Assert.Equal(visible ? 2 : 1, _users.Query().Where(u => u.Age.Is(30)).ToList().Count);
        Assert.Equal(visible, _users.Query().Where(u => u.Email.Is("a@example.com")).Any());
        Assert.Equal(visible ? 2 : 1, _users.Query().OrderByDescending(u => u.Id).ToList().Count);
    }
}
