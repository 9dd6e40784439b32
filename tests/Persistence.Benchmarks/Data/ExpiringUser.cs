namespace Persistence.Benchmarks.Data;

/// <summary>
/// The benchmark <see cref="User"/> with an expiry: the same members and tags, plus an <see cref="ExpiresAtAttribute"/>
/// member, so that the generated <c>ExpiringUserCollection</c> keeps the expiry index <c>expiring_users#$expiry</c>
/// beside the Email and Age indexes and hides each document from its expiry on. The TTL workloads (T1, T2) compare it
/// with <see cref="User"/>; SQLite stores it as the users table plus an indexed ExpiresAt column.
/// </summary>
[Collection("expiring_users")]
internal sealed partial class ExpiringUser
{
    [PrimaryKey]
    [Field(1)]
    public long Id { get; init; }

    [Index(Unique = true)]
    [Field(2)]
    public string Email { get; set; } = "";

    [Field(3)]
    public string Name { get; set; } = "";

    [Index]
    [Field(4)]
    public int Age { get; set; }

    [Field(5)]
    public DateTime CreatedAt { get; set; }

    [Field(6)]
    public List<string> Tags { get; set; } = [];

    /// <summary>When the document expires (always set by the workloads; null would mean never).</summary>
    [ExpiresAt]
    [Field(7)]
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>User <paramref name="user"/>'s fields with an expiry.</summary>
    public static ExpiringUser From(User user, DateTimeOffset expiresAt) => new()
    {
        Id = user.Id,
        Email = user.Email,
        Name = user.Name,
        Age = user.Age,
        CreatedAt = user.CreatedAt,
        Tags = user.Tags,
        ExpiresAt = expiresAt,
    };
}
