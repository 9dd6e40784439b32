namespace WebApi;

/// <summary>The API's settings (section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    /// <summary>The configuration section: <c>Api</c>.</summary>
    public const string SectionName = "Api";

    /// <summary>Client name to API key. A request authenticates as the client whose key it presents.</summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The per-key rate limit.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>A fixed window of requests per API key.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests per window and key. Default 100.</summary>
    public int PermitLimit { get; set; } = 100;

    /// <summary>The window. Default ten seconds.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
}
