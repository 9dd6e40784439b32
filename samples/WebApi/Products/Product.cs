using Persistence;

namespace WebApi.Products;

/// <summary>A product. The generator makes <see cref="ProductCollection"/> with <c>BySku</c> and <c>ByCategory</c>.</summary>
[Collection("products")]
public partial class Product
{
    [PrimaryKey]
    public Guid Id { get; init; }

    [Index(Unique = true)]
    public required string Sku { get; set; }

    public required string Name { get; set; }

    [Index]
    public required string Category { get; set; }

    public decimal Price { get; set; }

    public int Stock { get; set; }
}
