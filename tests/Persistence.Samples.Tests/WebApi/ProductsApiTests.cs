using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Persistence.Testing;

namespace Persistence.Samples.Tests.WebApi;

/// <summary>The Web API sample over HTTP: CRUD, index lookup, query, validation, authentication, rate limiting, restart.</summary>
public sealed class ProductsApiTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Create_read_query_update_and_delete()
    {
        await using var api = await ApiHost.StartAsync(_directory.File());
        using var client = api.Client();

        var created = await client.PostAsJsonAsync("/products", Request("KB-1", "Keyboard", "input", 49.5m));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var keyboard = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = keyboard.GetProperty("id").GetGuid();
        Assert.Equal($"/products/{id}", created.Headers.Location?.OriginalString);
        await client.PostAsJsonAsync("/products", Request("MS-1", "Mouse", "input", 19m));
        await client.PostAsJsonAsync("/products", Request("MN-1", "Monitor", "display", 199m));

        var read = await client.GetFromJsonAsync<JsonElement>($"/products/{id}");
        Assert.Equal("Keyboard", read.GetProperty("name").GetString());
        var bySku = await client.GetFromJsonAsync<JsonElement>("/products/by-sku/MS-1");
        Assert.Equal("Mouse", bySku.GetProperty("name").GetString());
        var inputs = await client.GetFromJsonAsync<JsonElement>("/products?category=input&maxPrice=100");
        Assert.Equal(["MS-1", "KB-1"], inputs.EnumerateArray().Select(p => p.GetProperty("sku").GetString()));

        var updated = await client.PutAsJsonAsync($"/products/{id}", Request("KB-1", "Keyboard", "input", 39m));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(39m, (await client.GetFromJsonAsync<JsonElement>($"/products/{id}")).GetProperty("price").GetDecimal());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/products/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/products/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/products/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync($"/products/{id}", Request("KB-1", "Keyboard", "input", 1m))).StatusCode);
    }

    [Fact]
    public async Task Invalid_requests_get_400_with_problem_details_listing_the_fields()
    {
        await using var api = await ApiHost.StartAsync(_directory.File());
        using var client = api.Client();

        var response = await client.PostAsJsonAsync("/products", new { sku = "kb", price = -1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var fields = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["category", "name", "price", "sku"], fields);

        var query = await client.GetAsync("/products?take=1000");
        Assert.Equal(HttpStatusCode.BadRequest, query.StatusCode);
        Assert.True((await query.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("take", out _));

        var malformed = await client.PostAsync("/products", new StringContent("{bad", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task A_duplicate_sku_is_a_conflict()
    {
        await using var api = await ApiHost.StartAsync(_directory.File());
        using var client = api.Client();
        await client.PostAsJsonAsync("/products", Request("KB-1", "Keyboard", "input", 49.5m));

        var duplicate = await client.PostAsJsonAsync("/products", Request("KB-1", "Other", "input", 1m));

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("application/problem+json", duplicate.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(null, "An API key is required.")]
    [InlineData("wrong-key", "The API key is not valid.")]
    public async Task Without_a_valid_key_requests_get_401(string? key, string title)
    {
        await using var api = await ApiHost.StartAsync(_directory.File());
        using var client = api.Client(key);

        var response = await client.GetAsync("/products");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("ApiKey", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(title, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/products", Request("KB-1", "Keyboard", "input", 1m))).StatusCode);
    }

    [Fact]
    public async Task Each_key_gets_429_past_its_own_limit()
    {
        await using var api = await ApiHost.StartAsync(_directory.File(), permitLimit: 3);
        using var client = api.Client();
        using var other = api.Client(ApiHost.OtherKey);
        using var anonymous = api.Client(key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/products")).StatusCode); // uses up no quota
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/products")).StatusCode);
        }

        var limited = await client.GetAsync("/products");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter is not null);
        Assert.Equal(429, (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/products")).StatusCode); // another key has its own window
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode); // health is neither authenticated nor limited
    }

    [Fact]
    public async Task Data_survives_a_restart_of_the_api()
    {
        var path = _directory.File();
        Guid id;
        await using (var first = await ApiHost.StartAsync(path))
        {
            using var client = first.Client();
            var created = await client.PostAsJsonAsync("/products", Request("KB-1", "Keyboard", "input", 49.5m));
            id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }

        await using var second = await ApiHost.StartAsync(path); // the first one released the database when it stopped
        using var again = second.Client();
        var read = await again.GetFromJsonAsync<JsonElement>($"/products/{id}");
        Assert.Equal("KB-1", read.GetProperty("sku").GetString());
        var bySku = await again.GetFromJsonAsync<JsonElement>("/products/by-sku/KB-1");
        Assert.Equal(id, bySku.GetProperty("id").GetGuid());
    }

    private static object Request(string sku, string name, string category, decimal price) => new { sku, name, category, price, stock = 1 };
}
