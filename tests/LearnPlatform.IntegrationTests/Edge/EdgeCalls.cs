using System.Globalization;

namespace LearnPlatform.IntegrationTests.Edge;

/// <summary>Requests the edge tests repeat.</summary>
internal static class EdgeCalls
{
    /// <summary>A guest session for a paper that does not exist: 404 from the handler, or 429 from the limiter before it.</summary>
    public static Task<HttpResponseMessage> CreateGuestSessionAsync(this HttpClient client, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/guest-sessions") { Content = JsonContent.Create(new { paper_id = Guid.NewGuid() }) };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return client.SendAsync(request);
    }

    public static async Task<List<HttpStatusCode>> StatusesAsync(int count, Func<Task<HttpResponseMessage>> call)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await call();
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }

    public static int RetryAfterSeconds(this HttpResponseMessage response) =>
        int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);

    public static HttpStatusCode[] Repeat(HttpStatusCode status, int count) => Enumerable.Repeat(status, count).ToArray();

    public static void AssertSecurityHeaders(this HttpResponseMessage response)
    {
        string Header(string name) => response.Headers.TryGetValues(name, out var values)
            ? values.Single()
            : response.Content.Headers.TryGetValues(name, out var content) ? content.Single() : throw new Xunit.Sdk.XunitException($"{name} is missing");

        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        Assert.Equal("DENY", Header("X-Frame-Options"));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Header("Content-Security-Policy"));
        Assert.Equal("strict-origin-when-cross-origin", Header("Referrer-Policy"));
        Assert.Equal("camera=(), microphone=(), geolocation=()", Header("Permissions-Policy"));
        Assert.Equal("same-origin", Header("Cross-Origin-Opener-Policy"));
        Assert.False(response.Headers.Contains("Server"));
    }
}
