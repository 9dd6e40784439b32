using Persistence;

namespace Worker.Orders;

/// <summary>An order. The source generator turns it into <see cref="OrderCollection"/>, registered by AddPersistenceCollections().</summary>
[Collection("orders")]
public partial class Order
{
    [PrimaryKey]
    public long Id { get; init; }

    [Index]
    public required string Customer { get; set; }

    public decimal Total { get; set; }

    [Index]
    public DateTimeOffset PlacedAt { get; set; }
}
