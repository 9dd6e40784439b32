using System.Text.Json;
using System.Text.Json.Serialization;
using WebApi.Products;

namespace WebApi;

/// <summary>The API's JSON contracts, serialized by generated code (camelCase, as the web defaults).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Product))]
[JsonSerializable(typeof(List<Product>))]
[JsonSerializable(typeof(ProductRequest))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
