using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using WebApi;

namespace Persistence.Samples.Tests.WebApi;

/// <summary>
/// The Web API started in-process on Kestrel, bound to 127.0.0.1 on a port the OS picks, with a database at a path
/// of the test's choosing, two API keys and a small rate limit. Dispose stops it gracefully (final checkpoint).
/// </summary>
internal sealed class ApiHost : IAsyncDisposable
{
    public const string Key = "test-key";
    public const string OtherKey = "other-key";

    private readonly WebApplication _app;

    private ApiHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<ApiHost> StartAsync(string databasePath, int permitLimit = 1000)
    {
        var app = ApiApplication.Build(
            [
                "--urls=http://127.0.0.1:0",
                $"--Persistence:Path={databasePath}",
                $"--Api:Keys:tests={Key}",
                $"--Api:Keys:others={OtherKey}",
                $"--Api:RateLimit:PermitLimit={permitLimit}",
                "--Api:RateLimit:Window=00:10:00",
            ],
            builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        return new ApiHost(app, new Uri(app.Urls.Single()));
    }

    /// <summary>A client for the API; with <paramref name="key"/>, it sends it in X-Api-Key.</summary>
    public HttpClient Client(string? key = Key)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
