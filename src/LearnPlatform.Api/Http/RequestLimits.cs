using System.Globalization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace LearnPlatform.Api.Http;

/// <summary>Configuration section <c>Limits</c>.</summary>
public sealed class RequestLimitOptions
{
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Characters after the '?', the '?' included.</summary>
    public int MaxQueryStringLength { get; set; } = 2048;

    /// <summary>All request headers' names and values together; a Firebase ID token alone may be up to 16 KB.</summary>
    public int MaxRequestHeadersBytes { get; set; } = 24 * 1024;

    public int MaxJsonDepth { get; set; } = 32;
}

/// <summary>
/// Size limits answered with problem+json by the application. Kestrel keeps hard limits above them (headers 8 KB more,
/// the request line 4 KB more than the query limit): only a request past those gets Kestrel's bare 431 or 414.
/// </summary>
public static class RequestLimits
{
    public static IServiceCollection AddRequestLimits(this IServiceCollection services, IConfiguration configuration, IWebHostBuilder webHost)
    {
        var limits = new RequestLimitOptions();
        configuration.GetSection("Limits").Bind(limits);
        if (limits.MaxRequestBodyBytes < 1 || limits.MaxQueryStringLength < 1 || limits.MaxRequestHeadersBytes < 1024 || limits.MaxJsonDepth is < 1 or > 256)
        {
            throw new StartupException("Limits: MaxRequestBodyBytes and MaxQueryStringLength must be positive, MaxRequestHeadersBytes at least 1024, MaxJsonDepth between 1 and 256.");
        }
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersBytes + 8 * 1024;
            kestrel.Limits.MaxRequestLineSize = Math.Max(new KestrelServerLimits().MaxRequestLineSize, limits.MaxQueryStringLength + 4 * 1024);
        });
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.MaxDepth = limits.MaxJsonDepth);
        return services.AddSingleton(limits);
    }

    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app)
    {
        var limits = app.ApplicationServices.GetRequiredService<RequestLimitOptions>();
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.QueryString.Value?.Length > limits.MaxQueryStringLength)
            {
                await EdgeProblems.WriteAsync(context, StatusCodes.Status414UriTooLong, "URI Too Long",
                    string.Create(CultureInfo.InvariantCulture, $"The query string is longer than {limits.MaxQueryStringLength} characters."));
                return;
            }
            if (HeaderBytes(request) > limits.MaxRequestHeadersBytes)
            {
                await EdgeProblems.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request Header Fields Too Large",
                    string.Create(CultureInfo.InvariantCulture, $"The request headers are larger than {limits.MaxRequestHeadersBytes} bytes."));
                return;
            }
            // A route may set its own limit (RequestSizeLimitAttribute), above or below the default.
            var maxBodyBytes = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } routeLimit
                ? routeLimit.MaxRequestBodySize
                : limits.MaxRequestBodyBytes;
            if (request.ContentLength > maxBodyBytes)
            {
                await WriteTooLargeAsync(context, maxBodyBytes.Value);
                return;
            }
            try
            {
                await next(context);
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
            {
                // A chunked body has no length up front: Kestrel stops it mid-read, wherever the read happened.
                context.Response.Clear();
                await WriteTooLargeAsync(context, maxBodyBytes ?? limits.MaxRequestBodyBytes);
            }
        });
    }

    private static Task WriteTooLargeAsync(HttpContext context, long maxBodyBytes) =>
        EdgeProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Payload Too Large",
            string.Create(CultureInfo.InvariantCulture, $"The request body is larger than {maxBodyBytes} bytes."));

    private static long HeaderBytes(HttpRequest request)
    {
        long total = 0;
        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                total += name.Length + (value?.Length ?? 0) + 4;
            }
        }
        return total;
    }
}
