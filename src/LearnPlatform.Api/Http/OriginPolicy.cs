using Microsoft.Net.Http.Headers;

namespace LearnPlatform.Api.Http;

/// <summary>
/// Browser origins allowed to call the API (<c>Cors:AllowedOrigins</c>). Enforced whenever the list is set, and
/// always in Production (where an empty list lets no browser origin in). Requests without an Origin header,
/// from servers and command-line clients, are not browser requests and pass.
/// </summary>
public sealed class AllowedOrigins(IReadOnlySet<string> origins, bool enforced)
{
    public bool Enforced { get; } = enforced;

    public bool Allows(string origin) => origins.Contains(origin.TrimEnd('/'));
}

public static class OriginPolicy
{
    private static readonly string[] AllowedHeaders = ["Authorization", "X-Guest-Token", "X-API-Key", "If-Match", "Content-Type"];
    private static readonly string[] ExposedHeaders = [HeaderNames.ETag, HeaderNames.RetryAfter, HeaderNames.Location];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static IServiceCollection AddOriginPolicy(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
        var origins = configured.Select(Normalize).ToHashSet(StringComparer.OrdinalIgnoreCase);
        services.AddSingleton(new AllowedOrigins(origins, environment.IsProduction() || origins.Count > 0));
        // No credentials mode: the API authenticates with headers, never cookies.
        return services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins([.. origins])
            .WithMethods(Methods)
            .WithHeaders(AllowedHeaders)
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
    }

    /// <summary>Refuses a request from a browser origin not on the list (403), then answers CORS for the rest.</summary>
    public static IApplicationBuilder UseOriginPolicy(this IApplicationBuilder app)
    {
        app.Use(async (context, next) =>
        {
            var allowed = context.RequestServices.GetRequiredService<AllowedOrigins>();
            if (allowed.Enforced
                && context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
                && context.Request.Headers.TryGetValue(HeaderNames.Origin, out var origin)
                && !(origin.Count == 1 && allowed.Allows(origin.ToString())))
            {
                await EdgeProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "Requests from this origin are not allowed.");
                return;
            }
            await next(context);
        });
        return app.UseCors();
    }

    private static string Normalize(string origin)
    {
        if (origin.Contains('*', StringComparison.Ordinal))
        {
            throw new StartupException("Cors:AllowedOrigins: '*' is refused; list each allowed origin, e.g. https://exams.example.com.");
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.PathAndQuery != "/" || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new StartupException($"Cors:AllowedOrigins: '{origin}' is not an origin (scheme://host[:port], no path).");
        }
        return uri.GetLeftPart(UriPartial.Authority);
    }
}
