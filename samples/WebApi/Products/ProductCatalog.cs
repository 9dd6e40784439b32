namespace WebApi.Products;

/// <summary>
/// The lookups that need the generated <see cref="ProductCollection"/>: by SKU (its unique index) and the typed query.
/// </summary>
/// <remarks>
/// Endpoints take this class rather than <see cref="ProductCollection"/> itself because the request delegate
/// generator, like every source generator, cannot see the types another generator emits: a handler parameter of a
/// generated type would not compile. Hand-written types, <c>IRepository&lt;Product, Guid&gt;</c> among them, are fine.
/// </remarks>
public sealed class ProductCatalog(ProductCollection products)
{
    public Product? BySku(string sku) => products.BySku.Get(sku);

    /// <summary>The products of a category (served by the Category index), optionally at most a price, cheapest first.</summary>
    public List<Product> Search(string? category, decimal? maxPrice, int take)
    {
        var query = products.Query();
        if (category is not null)
        {
            query = query.Where(p => p.Category.Is(category));
        }

        if (maxPrice is { } max)
        {
            query = query.Where(p => p.Price.AtMost(max));
        }

        return query.OrderBy(p => p.Price).Take(take).ToList();
    }
}
