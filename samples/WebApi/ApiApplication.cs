using Microsoft.AspNetCore.Authentication;
using WebApi.Products;
using WebApi.Security;

namespace WebApi;

/// <summary>Builds the web application; Program runs it, and the tests start it on a free port.</summary>
public static class ApiApplication
{
    /// <param name="args">Command-line arguments, which override appsettings.json (for example <c>--Persistence:Path=...</c>).</param>
    /// <param name="configure">Changes to the builder before the application is built (tests use it for logging).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory, // appsettings.json, and the relative database path, beside the program
        });

        // Persistence: the database from the "Persistence" section, and the generated collections and repositories.
        builder.Services.AddPersistence();
        builder.Services.AddPersistenceCollections();
        builder.Services.AddHealthChecks().AddPersistence();
        builder.Services.AddSingleton(static services => new ProductCatalog(services.GetRequiredService<ProductCollection>()));

        builder.Services.Configure<ApiOptions>(builder.Configuration.GetSection(ApiOptions.SectionName));
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddPerKeyRateLimiting();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization(); // 401 before the rate limiter: requests without a valid key use up no client's quota
        app.UseRateLimiter();

        app.MapHealthChecks("/health");
        app.MapProducts().RequireAuthorization().RequireRateLimiting(PerKeyRateLimiting.PolicyName);
        return app;
    }
}
