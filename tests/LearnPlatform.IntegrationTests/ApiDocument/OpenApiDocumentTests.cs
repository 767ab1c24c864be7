using LearnPlatform.LocalDev;

namespace LearnPlatform.IntegrationTests.ApiDocument;

public sealed class OpenApiDocumentTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    /// <summary>Set to 1 (as `make openapi` does) to write the generated document over the committed copy.</summary>
    private const string WriteVariable = "LEARNPLATFORM_WRITE_OPENAPI";

    // The routes that take no credential on purpose: they hand one out.
    private static readonly string[] Anonymous = ["POST /api/v1/guest-sessions", "POST /api/v1/lti/exchange", "POST /api/v1/lti/deep-linking"];

    [Fact]
    public async Task CommittedCopyMatchesTheGeneratedDocument()
    {
        var generated = await fixture.App.Client.GetStringAsync("/openapi/v1.json");
        var committed = Path.Combine(RepositoryRoot.Find()!, "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            await File.WriteAllTextAsync(committed, generated.ReplaceLineEndings("\n").TrimEnd() + "\n");
        }

        Assert.True(
            (await File.ReadAllTextAsync(committed)).ReplaceLineEndings("\n").TrimEnd() == generated.ReplaceLineEndings("\n").TrimEnd(),
            "docs/openapi.json differs from the document the endpoints generate: run `make openapi` and commit it.");
    }

    [Fact]
    public async Task TheDocumentIsOpenApi31AndNeedsNoCredential()
    {
        var response = await fixture.App.Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("3.1", document.GetProperty("openapi").GetString());
        Assert.Equal(["firebase", "guest"], document.GetProperty("components").GetProperty("securitySchemes").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task EveryApiOperationNamesItsCredentialsAnswersAndProblems()
    {
        var document = await fixture.App.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var unsecured = new List<string>();
        var operationIds = new List<string>();
        var operations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/v1/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                operationIds.Add(operation.Value.GetProperty("operationId").GetString()!);
                var responses = operation.Value.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
                Assert.True(responses.Keys.Any(k => k.StartsWith('2')), $"{name} declares no success answer");
                Assert.True(responses.Where(r => r.Key.StartsWith('2') && r.Key != "204").All(r => r.Value.TryGetProperty("content", out _)), $"{name} has a success answer without a schema");
                if (operation.Value.TryGetProperty("security", out var security) && security.GetArrayLength() > 0)
                {
                    Assert.True(responses.ContainsKey("401") && responses.ContainsKey("403"), $"{name} is secured but declares no 401 and 403");
                }
                else
                {
                    unsecured.Add(name);
                }
                if (path.Name.Contains('{'))
                {
                    Assert.True(responses.ContainsKey("404"), $"{name} names a resource but declares no 404");
                }
                foreach (var problem in responses.Where(r => r.Key[0] is '4' or '5'))
                {
                    Assert.True(problem.Value.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{name} {problem.Key} is not problem+json");
                }
            }
        }

        Assert.True(operations > 40, $"only {operations} operations under /api/v1");
        Assert.Equal(Anonymous.Order(), unsecured.Order());
        Assert.Equal(operationIds.Count, operationIds.Distinct().Count());
    }

    [Fact]
    public async Task GuestTokensAreDocumentedOnlyWhereGuestsAreLetIn()
    {
        var document = await fixture.App.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");

        Assert.Equal(["firebase", "guest"], Schemes(paths.GetProperty("/api/v1/sessions/{id}").GetProperty("get")));
        Assert.Equal(["firebase"], Schemes(paths.GetProperty("/api/v1/papers").GetProperty("post")));
    }

    [Fact]
    public async Task TheReferencePageIsServedInDevelopmentOnly()
    {
        await using var production = await TestApp.StartAsync(settings => settings.Remove("FIREBASE_AUTH_EMULATOR_HOST"), environment: "Production");
        await using var development = await TestApp.StartAsync(database: production.Database, environment: "Development");

        Assert.Equal(HttpStatusCode.NotFound, (await production.Client.GetAsync("/scalar")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await production.Client.GetAsync("/openapi/v1.json")).StatusCode);
        using var page = await development.Client.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", (await development.Client.GetAsync("/healthz")).Headers.GetValues("Content-Security-Policy").Single());
    }

    private static string[] Schemes(JsonElement operation) =>
        operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToArray();
}
