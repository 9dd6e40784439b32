namespace Persistence.Generators.Tests.Golden.Bookings;

/// <summary>
/// A composite primary key of a DateTimeOffset, a DateTime and a string, which the indexes and the expiry index carry;
/// the DateTimeOffset leads an index's second member too.
/// </summary>
[Collection("bookings")]
[Index(nameof(Guest), nameof(Starts))]
public sealed partial class Booking
{
    /// <summary>First key part: the instant, whatever its offset; the document keeps the offset.</summary>
    [PrimaryKey(Order = 0)]
    public DateTimeOffset Starts { get; init; }

    /// <summary>Second key part: as the document stores it, in UTC.</summary>
    [PrimaryKey(Order = 1)]
    public DateTime Logged { get; init; }

    /// <summary>Third key part.</summary>
    [PrimaryKey(Order = 2)]
    public string Room { get; init; } = "";

    /// <summary>Indexed.</summary>
    [Index]
    public string Guest { get; set; } = "";

    /// <summary>Unique when present.</summary>
    [Index(Unique = true)]
    public int? Ticket { get; set; }

    /// <summary>When the booking lapses; null: never.</summary>
    [ExpiresAt]
    public DateTimeOffset? Until { get; set; }
}
