using LearnPlatform.Core.Lti;

namespace LearnPlatform.Api.Lti;

public static class LtiUrls
{
    public static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0 && uri.Fragment.Length == 0;

    /// <summary>The tool's public base URL: Lti:ToolUrl, or the request's own (the forwarded one behind trusted proxies).</summary>
    public static string ToolUrl(LtiOptions options, HttpRequest request) =>
        (options.ToolUrl is { Length: > 0 } configured ? configured : $"{request.Scheme}://{request.Host}{request.PathBase}").TrimEnd('/');

    public static string LaunchUrl(LtiOptions options, HttpRequest request) => ToolUrl(options, request) + "/lti/launch";
}
