using Microsoft.Net.Http.Headers;

namespace LearnPlatform.Api.Papers;

/// <summary>A paper's entity tag is its working version, quoted: "3".</summary>
public static class PaperETag
{
    public static void Set(HttpResponse response, int version) => response.Headers.ETag = Format(version);

    public static string Format(int version) => $"\"{version}\"";

    /// <summary>
    /// True without If-Match, or when it lists the version (strong comparison) or is "*".
    /// A header that does not parse matches nothing.
    /// </summary>
    public static bool Matches(HttpRequest request, int version)
    {
        if (!request.Headers.ContainsKey(HeaderNames.IfMatch))
        {
            return true;
        }
        var current = new EntityTagHeaderValue(Format(version));
        return request.GetTypedHeaders().IfMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: true));
    }
}
