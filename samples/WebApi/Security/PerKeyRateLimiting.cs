using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace WebApi.Security;

/// <summary>
/// A fixed window of requests per API key (<see cref="ApiOptions.RateLimit"/>): each authenticated client has its own
/// partition, so one busy client cannot use up another's requests. Past the limit: 429 with problem details and
/// Retry-After.
/// </summary>
public static class PerKeyRateLimiting
{
    public const string PolicyName = "per-key";

    public static IServiceCollection AddPerKeyRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PolicyName, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RateLimit;
                var client = context.User.Identity?.Name ?? "anonymous"; // authorization runs first: anonymous requests never get here
                return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.PermitLimit,
                    Window = limits.Window,
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests.",
                        Detail = "This API key has used up its requests for now; retry after the time in Retry-After.",
                    },
                });
            };
        });
}
