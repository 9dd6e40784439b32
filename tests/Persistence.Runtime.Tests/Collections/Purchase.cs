namespace Persistence.Tests.Collections;

/// <summary>
/// A document type for the query planner tests, with composite indexes: (CustomerId, PlacedAt), (Channel, Total) led by
/// a nullable member, and a unique (CustomerId, Seq); and single-member indexes on Level and Total. Every index is
/// declared on the class so that they keep this order (the generator puts class-level indexes before member-level
/// ones). The source generator emits its collection, fields and schema.
/// </summary>
[Collection("purchases")]
[Index(nameof(Level))]
[Index(nameof(Total))]
[Index(nameof(CustomerId), nameof(PlacedAt), Name = "CustomerPlaced")]
[Index(nameof(Channel), nameof(Total), Name = "ChannelTotal")]
[Index(nameof(CustomerId), nameof(Seq), Name = "CustomerSeq", Unique = true)]
public sealed partial class Purchase
{
    [PrimaryKey]
    public long Id { get; init; }

    public int CustomerId { get; set; }

    /// <summary>Second member of the CustomerPlaced index; leads none.</summary>
    public DateTimeOffset PlacedAt { get; set; }

    public int Total { get; set; }

    public int Level { get; set; }

    /// <summary>Leads the ChannelTotal index; nullable.</summary>
    public string? Channel { get; set; }

    /// <summary>Second member of the unique CustomerSeq index.</summary>
    public int Seq { get; set; }

    public string Note { get; set; } = "";
}
