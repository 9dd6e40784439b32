namespace Persistence.Generators.Tests.Runtime.Calendar;

/// <summary><see cref="Meeting"/>'s collection as an earlier declaration without its indexes stored it.</summary>
[Collection("meetings")]
public sealed partial class UnindexedMeeting
{
    [PrimaryKey]
    public int Id { get; init; }

    public DateTimeOffset Starts { get; set; }

    public DateTimeOffset? Booked { get; set; }

    public string Room { get; set; } = "";
}
