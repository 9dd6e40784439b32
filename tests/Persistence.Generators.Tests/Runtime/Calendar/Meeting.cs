namespace Persistence.Generators.Tests.Runtime.Calendar;

/// <summary>DateTimeOffset members in a non-unique, a unique nullable and a composite index.</summary>
[Collection("meetings")]
[Index(nameof(Room), nameof(Starts))]
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
