namespace Persistence.Tests.Query;

/// <summary>
/// A document type for the planner's combination cap: one non-unique composite index Place on (Region, Aisle, Shelf,
/// Weight), so that In lists on its three leading members multiply and a range may bound the next one. The source
/// generator emits its collection, fields and schema.
/// </summary>
[Collection("stock")]
[Index(nameof(Region), nameof(Aisle), nameof(Shelf), nameof(Weight), Name = "Place")]
public sealed partial class Stock
{
    [PrimaryKey]
    public long Id { get; init; }

    /// <summary>Leads the Place index.</summary>
    public int Region { get; set; }

    public int Aisle { get; set; }

    public int Shelf { get; set; }

    public int Weight { get; set; }
}
