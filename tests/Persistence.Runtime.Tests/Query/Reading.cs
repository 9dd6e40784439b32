namespace Persistence.Tests.Query;

/// <summary>An sbyte enum whose members lie at its extremes and around zero.</summary>
public enum Tier : sbyte
{
    Lowest = sbyte.MinValue,
    Low = -1,
    Mid = 0,
    High = 1,
    Highest = sbyte.MaxValue,
}

/// <summary>
/// A document type for the query semantics review: members whose comparers and key encodings meet at edges (a nullable
/// double with NaN, infinities and both zeros; a decimal with several scales; a DateTime of every Kind; an sbyte enum at
/// its extremes; a nullable string with characters above U+FFFF and in U+E000-U+FFFF) and an expiry (or none:
/// <see cref="LastingReadingSchema"/>). Indexes: Score (non-unique), Price (non-unique), At (non-unique), TierScore
/// (non-unique, composite) and Name (unique, nullable), declared on the class in that order (the generator puts
/// class-level indexes before member-level ones). The source generator emits its collection, fields and schema.
/// </summary>
[Collection("readings")]
[Index(nameof(Score))]
[Index(nameof(Price))]
[Index(nameof(At))]
[Index(nameof(Tier), nameof(Score), Name = "TierScore")]
[Index(nameof(Name), Unique = true)]
public sealed partial class Reading
{
    [PrimaryKey]
    public long Id { get; init; }

    public double? Score { get; set; }

    public decimal Price { get; set; }

    public DateTime At { get; set; }

    public Tier Tier { get; set; }

    public string? Name { get; set; }

    [ExpiresAt]
    public DateTimeOffset? ExpiresAt { get; set; }
}
