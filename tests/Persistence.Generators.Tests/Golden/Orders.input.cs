namespace Persistence.Generators.Tests.Golden.Orders;

/// <summary>An order's state.</summary>
public enum OrderStatus
{
    /// <summary>Open.</summary>
    Open,

    /// <summary>Paid.</summary>
    Paid,

    /// <summary>Shipped.</summary>
    Shipped,
}

/// <summary>A positional record with a composite primary key and composite indexes.</summary>
/// <param name="CustomerId">First key part.</param>
/// <param name="Number">Second key part.</param>
/// <param name="Status">Leads the StatusPlaced index.</param>
/// <param name="PlacedAt">Second member of the StatusPlaced index.</param>
/// <param name="Total">Not indexed.</param>
[Collection("orders")]
[Index(nameof(Status), nameof(PlacedAt), Name = "StatusPlaced")]
[Index(nameof(LastName), nameof(FirstName), nameof(Number), Unique = true)]
public partial record Order(
    [property: PrimaryKey(Order = 0)] string CustomerId,
    [property: PrimaryKey(Order = 1)] int Number,
    OrderStatus Status,
    DateTime PlacedAt,
    decimal Total)
{
    /// <summary>Init-only, not a constructor parameter.</summary>
    public string LastName { get; init; } = "";

    /// <summary>Nullable member of a unique composite index.</summary>
    public string? FirstName { get; init; }
}
