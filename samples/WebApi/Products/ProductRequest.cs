namespace WebApi.Products;

/// <summary>The body of POST and PUT /products. Every member is nullable so that a missing one is reported, not defaulted.</summary>
public sealed class ProductRequest
{
    public string? Sku { get; set; }

    public string? Name { get; set; }

    public string? Category { get; set; }

    public decimal? Price { get; set; }

    public int? Stock { get; set; }

    /// <summary>The invalid fields (JSON names) and what is wrong with each; empty when the request is valid.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(Sku))
        {
            errors["sku"] = ["The SKU is required."];
        }
        else if (Sku.Length is < 3 or > 32 || !Sku.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            errors["sku"] = ["The SKU must be 3 to 32 upper-case letters, digits or '-'."];
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            errors["name"] = ["The name is required."];
        }
        else if (Name.Length > 200)
        {
            errors["name"] = ["The name must be at most 200 characters."];
        }

        if (string.IsNullOrWhiteSpace(Category))
        {
            errors["category"] = ["The category is required."];
        }
        else if (Category.Length > 50)
        {
            errors["category"] = ["The category must be at most 50 characters."];
        }

        if (Price is null)
        {
            errors["price"] = ["The price is required."];
        }
        else if (Price < 0 || Price > 1_000_000)
        {
            errors["price"] = ["The price must be from 0 to 1000000."];
        }

        if (Stock is < 0)
        {
            errors["stock"] = ["The stock must not be negative."];
        }

        return errors;
    }

    /// <summary>The product this (valid) request describes.</summary>
    public Product ToProduct(Guid id) => new()
    {
        Id = id,
        Sku = Sku!,
        Name = Name!,
        Category = Category!,
        Price = Price!.Value,
        Stock = Stock ?? 0,
    };
}
