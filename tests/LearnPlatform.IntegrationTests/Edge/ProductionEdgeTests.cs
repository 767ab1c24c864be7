namespace LearnPlatform.IntegrationTests.Edge;

/// <summary>The edge as it runs in Production: HSTS, origins enforced even with an empty list, errors without internals.</summary>
public sealed class ProductionEdgeTests
{
    private static Task<TestApp> StartProductionAsync(Action<Dictionary<string, string?>>? settings = null) =>
        TestApp.StartAsync(
            s =>
            {
                s.Remove("FIREBASE_AUTH_EMULATOR_HOST");
                settings?.Invoke(s);
            },
            environment: "Production");

    [Fact]
    public async Task ProductionSendsHsts()
    {
        await using var app = await StartProductionAsync();

        using var response = await app.Client.GetAsync("/healthz");

        Assert.Equal("max-age=31536000; includeSubDomains", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task ProductionWithNoAllowedOriginsRefusesEveryBrowserOrigin()
    {
        await using var app = await StartProductionAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/exams");
        request.Headers.Add("Origin", "https://exams.example.com");

        using var fromBrowser = await app.Client.SendAsync(request);
        using var fromServer = await app.Client.GetAsync("/api/v1/exams");

        await fromBrowser.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, fromServer.StatusCode);
    }

    [Fact]
    public async Task UnexpectedFailureIsAGeneric500WithATraceIdAndNothingOfTheException()
    {
        // A real failure path: the database is not there (a closed port), so the handler's query throws.
        var port = FreePort.Next();
        await using var app = await StartProductionAsync(s => s["ConnectionStrings:Postgres"] =
            $"Host=127.0.0.1;Port={port};Username=learnplatform_app;Password=not-the-password;Database=nowhere;Timeout=2");

        using var response = await app.Client.CreateGuestSessionAsync();

        // 500, not 429 or 503: the rate limiter failed open and the handler ran.
        var problem = await response.AssertProblemAsync(HttpStatusCode.InternalServerError);
        var body = problem.GetRawText();
        Assert.True(problem.TryGetProperty("trace_id", out _), body);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("trace_id").GetString()));
        Assert.False(problem.TryGetProperty("exception", out _));
        foreach (var leak in new[] { "Npgsql", "Exception", "   at ", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "not-the-password", "nowhere", "learnplatform_app" })
        {
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
        }
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains(app.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains("Npgsql", StringComparison.Ordinal));
    }
}
