namespace Persistence.Generators.Tests.Runtime.Calendar;

/// <summary>DateTimeOffset members in a non-unique, a unique nullable and two composite indexes (one of them unique, led by the instant).</summary>
[Collection("meetings")]
[Index(nameof(Room), nameof(Starts))]
[Index(nameof(Starts), nameof(Room), Unique = true)]
public sealed partial class Meeting
{
    [PrimaryKey]
    public int Id { get; init; }

    [Index]
    public DateTimeOffset Starts { get; set; }

    [Index(Unique = true)]
    public DateTimeOffset? Booked { get; set; }

    public string Room { get; set; } = "";
}
