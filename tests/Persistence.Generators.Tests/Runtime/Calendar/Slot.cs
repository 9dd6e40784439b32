namespace Persistence.Generators.Tests.Runtime.Calendar;

/// <summary>A DateTimeOffset primary key and a unique index, tagged 1 to 3: stored as an array.</summary>
[Collection("slots")]
public sealed partial class Slot
{
    [PrimaryKey]
    [Field(1)]
    public DateTimeOffset Starts { get; init; }

    [Index(Unique = true)]
    [Field(2)]
    public string Room { get; set; } = "";

    [Field(3)]
    public int Seats { get; set; }
}
