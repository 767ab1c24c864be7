using LearnPlatform.Api.Identity;

namespace LearnPlatform.Api.Http;

/// <summary>
/// Headers on every response the application writes, errors and 404s included: the API serves JSON only, so
/// browsers are told to render nothing, frame nothing and sniff nothing.
/// </summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, IHostEnvironment environment)
    {
        var hsts = environment.IsProduction();
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                // A page the app serves on purpose (the Development API reference) sets its own policy first.
                if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                {
                    headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
                }
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                if (hsts)
                {
                    // TLS ends at the load balancer; browsers ignore the header on plain HTTP anyway.
                    headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
                }
                if (IsPrivate(context.Request))
                {
                    headers.CacheControl = "no-store";
                    headers.Remove("Expires");
                    headers.Pragma = "no-cache";
                }
                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    /// <summary>Everything under /api (answers differ per caller) and anything asked with a credential.</summary>
    private static bool IsPrivate(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || request.Headers.ContainsKey("Authorization")
        || request.Headers.ContainsKey(CredentialAuthenticationHandler.GuestTokenHeader);
}
