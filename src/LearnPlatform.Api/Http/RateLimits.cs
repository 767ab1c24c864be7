using System.Globalization;
using System.Threading.RateLimiting;
using LearnPlatform.Api.Sessions;
using Microsoft.AspNetCore.RateLimiting;

namespace LearnPlatform.Api.Http;

public sealed class RateLimitOptions
{
    /// <summary>Guest sessions one client IP may create per minute.</summary>
    public int GuestSessionsPerMinute { get; set; } = 10;
}

public static class RateLimits
{
    public static IServiceCollection AddLearnPlatformRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        return services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(GuestSessionsApi.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.GuestSessionsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 60;
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = 429, Title = "Too Many Requests", Detail = $"Rate limit reached, please wait {retryAfter} seconds." },
                });
            };
        });
    }
}
