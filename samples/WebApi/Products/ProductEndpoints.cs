using Microsoft.AspNetCore.Http.HttpResults;
using Persistence;
using Persistence.Collections;

namespace WebApi.Products;

/// <summary>
/// The /products endpoints, over the injected repositories: <see cref="IRepository{T, TKey}"/> for CRUD, and
/// <see cref="ProductCatalog"/> (over the generated <see cref="ProductCollection"/>) for the SKU index and the typed query.
/// </summary>
public static class ProductEndpoints
{
    public static RouteGroupBuilder MapProducts(this IEndpointRouteBuilder endpoints)
    {
        var products = endpoints.MapGroup("/products");
        products.MapGet("/", Search);
        products.MapGet("/{id:guid}", Get);
        products.MapGet("/by-sku/{sku}", GetBySku);
        products.MapPost("/", Create);
        products.MapPut("/{id:guid}", Replace);
        products.MapDelete("/{id:guid}", Delete);
        return products;
    }

    /// <summary>A typed query: the products of a category, optionally at most a price, cheapest first.</summary>
    private static Results<Ok<List<Product>>, ValidationProblem> Search(ProductCatalog catalog, string? category, decimal? maxPrice, int? take)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (take is < 1 or > 100)
        {
            errors["take"] = ["take must be from 1 to 100."];
        }

        if (maxPrice is < 0)
        {
            errors["maxPrice"] = ["maxPrice must not be negative."];
        }

        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(catalog.Search(category, maxPrice, take ?? 20));
    }

    private static async Task<Results<Ok<Product>, NotFound>> Get(Guid id, IRepository<Product, Guid> products, CancellationToken cancellationToken) =>
        await products.GetAsync(id, cancellationToken: cancellationToken) is { } product ? TypedResults.Ok(product) : TypedResults.NotFound();

    private static Results<Ok<Product>, NotFound> GetBySku(string sku, ProductCatalog catalog) =>
        catalog.BySku(sku) is { } product ? TypedResults.Ok(product) : TypedResults.NotFound();

    private static async Task<Results<Created<Product>, ValidationProblem, ProblemHttpResult>> Create(ProductRequest request, IRepository<Product, Guid> products, CancellationToken cancellationToken)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var product = request.ToProduct(Guid.NewGuid());
        try
        {
            await products.InsertAsync(product, cancellationToken: cancellationToken);
        }
        catch (UniqueConstraintException)
        {
            return SkuTaken(product.Sku);
        }

        return TypedResults.Created($"/products/{product.Id}", product);
    }

    private static async Task<Results<Ok<Product>, ValidationProblem, NotFound, ProblemHttpResult>> Replace(Guid id, ProductRequest request, IRepository<Product, Guid> products, CancellationToken cancellationToken)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var product = request.ToProduct(id);
        try
        {
            await products.UpdateAsync(product, cancellationToken: cancellationToken);
        }
        catch (DocumentException ex) when (ex.Code == ErrorCode.DocumentNotFound)
        {
            return TypedResults.NotFound();
        }
        catch (UniqueConstraintException)
        {
            return SkuTaken(product.Sku);
        }

        return TypedResults.Ok(product);
    }

    private static async Task<Results<NoContent, NotFound>> Delete(Guid id, IRepository<Product, Guid> products, CancellationToken cancellationToken) =>
        await products.DeleteAsync(id, cancellationToken: cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>409 with problem details: the SKU index is unique.</summary>
    private static ProblemHttpResult SkuTaken(string sku) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The SKU is taken.", detail: $"Another product has the SKU '{sku}'.");
}
