using Persistence.Testing;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>A badge with two unique indexes and an expiry: the write path's unique checks against expired holders.</summary>
[Collection("badges")]
public partial class Badge
{
    [PrimaryKey]
    public long Id { get; init; }

    [Index(Unique = true)]
    public required string Code { get; set; }

    [Index(Unique = true)]
    public required string Serial { get; set; }

    [ExpiresAt]
    public DateTimeOffset? ExpiresAt { get; set; }
}

public sealed class UniqueExpiryTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_unique_value_held_by_an_expired_document_is_free()
    {
        using var db = Open();
        var badges = new BadgeCollection(db);
        badges.Insert(new Badge { Id = 1, Code = "x", Serial = "a", ExpiresAt = _clock.GetUtcNow().AddSeconds(1) });
        _clock.Advance(TimeSpan.FromSeconds(2));

        badges.Insert(new Badge { Id = 2, Code = "x", Serial = "b" });

        Assert.Equal(2, badges.ByCode.Get("x")?.Id);
        Assert.Null(badges.Get(1));
        Assert.Null(badges.BySerial.Get("a"));
    }

    [Fact]
    public void A_later_unique_violation_leaves_the_expired_holder_of_an_earlier_value_untouched()
    {
        using var db = Open();
        var badges = new BadgeCollection(db);
        badges.Insert(new Badge { Id = 1, Code = "x", Serial = "a", ExpiresAt = _clock.GetUtcNow().AddSeconds(1) });
        badges.Insert(new Badge { Id = 2, Code = "y", Serial = "s" });
        _clock.Advance(TimeSpan.FromSeconds(2));

        using var failing = db.BeginWrite();
        Assert.Throws<UniqueConstraintException>(() => badges.Insert(new Badge { Id = 3, Code = "x", Serial = "s" }, failing));

        // Had the failed insert deleted the expired badge 1 (the holder of Code "x") before its Serial check failed, the
        // transaction would now hold that delete, and committing it after a concurrent write of badge 1 would conflict.
        badges.Upsert(new Badge { Id = 1, Code = "z", Serial = "z" });
        failing.Commit();

        Assert.Equal("z", badges.Get(1)?.Code);
        Assert.Equal(1, badges.ByCode.Get("z")?.Id);
    }

    private Database Open() =>
        Database.OpenInMemory(new DatabaseOptions { TimeProvider = _clock, Ttl = { RunCollectorInBackground = false } });
}
