using System.Text;

namespace LearnPlatform.IntegrationTests.Edge;

/// <summary>Oversized bodies, headers and query strings, and too-deep JSON: problem+json answers, never a bare reset.</summary>
public sealed class RequestLimitTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private const int OneMegabyte = 1024 * 1024;

    private static string GuestSessionBody(int padding) => $"{{\"paper_id\":\"{Guid.NewGuid()}\",\"padding\":\"{new string('a', padding)}\"}}";

    [Fact]
    public async Task BodyOverOneMegabyteWithContentLengthIs413ProblemJson()
    {
        using var content = new StringContent(GuestSessionBody(OneMegabyte), Encoding.UTF8, "application/json");

        using var response = await fixture.App.Client.PostAsync("/api/v1/guest-sessions", content);

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1048576 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunkedBodyOverOneMegabyteIs413ProblemJson()
    {
        using var content = new ChunkedJson(GuestSessionBody(2 * OneMegabyte));

        using var response = await fixture.App.Client.PostAsync("/api/v1/guest-sessions", content);

        Assert.Null(response.RequestMessage!.Content!.Headers.ContentLength);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task BodyUnderTheLimitIsRead()
    {
        using var content = new ChunkedJson(GuestSessionBody(OneMegabyte - 100 * 1024));

        using var response = await fixture.App.Client.PostAsync("/api/v1/guest-sessions", content);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task QueryStringOverTheLimitIs414ProblemJson()
    {
        using var response = await fixture.App.Client.GetAsync("/api/v1/exams?q=" + new string('x', 2100));

        await response.AssertProblemAsync(HttpStatusCode.RequestUriTooLong);
    }

    [Fact]
    public async Task HeadersOverTheLimitAre431ProblemJson()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("X-Padding", new string('x', 26 * 1024));

        using var response = await fixture.App.Client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Fact]
    public async Task HeadersFarOverTheLimitAreStoppedByKestrelWith431()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("X-Padding", new string('x', 40 * 1024));

        using var response = await fixture.App.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task RequestLineFarOverTheLimitIsStoppedByKestrelWith414()
    {
        using var response = await fixture.App.Client.GetAsync("/healthz?q=" + new string('x', 8 * 1024));

        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
    }

    [Fact]
    public async Task JsonDeeperThan32LevelsIs400ProblemJson()
    {
        var deep = new string('[', 40) + new string(']', 40);
        using var content = new StringContent($"{{\"paper_id\":\"{Guid.NewGuid()}\",\"extra\":{deep}}}", Encoding.UTF8, "application/json");

        using var response = await fixture.App.Client.PostAsync("/api/v1/guest-sessions", content);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.DoesNotContain("depth", problem.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task JsonWithinTheDepthLimitIsRead()
    {
        var nested = new string('[', 20) + new string(']', 20);
        using var content = new StringContent($"{{\"paper_id\":\"{Guid.NewGuid()}\",\"extra\":{nested}}}", Encoding.UTF8, "application/json");

        using var response = await fixture.App.Client.PostAsync("/api/v1/guest-sessions", content);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task MaxRequestBodyBytesIsConfigurable()
    {
        await using var app = await TestApp.StartAsync(settings => settings["Limits:MaxRequestBodyBytes"] = "100");
        using var content = new StringContent(GuestSessionBody(200), Encoding.UTF8, "application/json");

        using var response = await app.Client.PostAsync("/api/v1/guest-sessions", content);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>A body of unknown length, so HttpClient sends it with Transfer-Encoding: chunked.</summary>
    private sealed class ChunkedJson : HttpContent
    {
        private readonly byte[] bytes;

        public ChunkedJson(string json)
        {
            bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += 16 * 1024)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(16 * 1024, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
