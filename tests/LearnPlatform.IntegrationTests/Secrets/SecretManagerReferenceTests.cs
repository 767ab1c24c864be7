using Google.Apis.Auth.OAuth2;
using LearnPlatform.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace LearnPlatform.IntegrationTests.Secrets;

/// <summary>
/// Secret Manager references resolved against the stand-in over HTTP, with a real service account credential
/// (a key generated here) running the OAuth JWT-bearer flow against the stand-in's token endpoint.
/// </summary>
public sealed class SecretManagerReferenceTests : IAsyncLifetime
{
    private const string GeminiName = "projects/test-project/secrets/gemini-api-key/versions/latest";
    private const string GeminiReference = "sm://" + GeminiName;
    private const string GeminiValue = "AIza-test-value-never-logged";
    private SecretManagerStandIn standIn = null!;

    public async Task InitializeAsync()
    {
        standIn = await SecretManagerStandIn.StartAsync();
        standIn.Add(GeminiName, GeminiValue);
    }

    public async Task DisposeAsync() => await standIn.DisposeAsync();

    private Task<GoogleCredential> Credential(CancellationToken _) =>
        Task.FromResult(CredentialFactory.FromJson<ServiceAccountCredential>(standIn.ServiceAccountJson()).ToGoogleCredential());

    private ConfigurationManager Configuration(Dictionary<string, string?> values, Uri? baseUrl = null)
    {
        var configuration = new ConfigurationManager();
        values["SecretManager:BaseUrl"] = (baseUrl ?? standIn.BaseUrl).ToString();
        configuration.AddInMemoryCollection(values);
        return configuration;
    }

    // The stand-in here speaks plain http, which only Development allows; the hosts' tests use its https mode.
    private Task<IReadOnlyList<ResolvedReference>> ResolveAsync(ConfigurationManager configuration) =>
        SecretReferenceResolver.ResolveAsync(configuration, Credential, CancellationToken.None, allowPlainHttp: true);

    private async Task<string> FailsAsync(ConfigurationManager configuration)
    {
        var error = await Assert.ThrowsAsync<SecretsException>(() => ResolveAsync(configuration));
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain(GeminiValue, error.Message, StringComparison.Ordinal);
        return error.Message;
    }

    [Fact]
    public async Task ReferenceIsReplacedByTheSecretValue()
    {
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = GeminiReference, ["Gemini:Model"] = "gemini-2.5-flash" });

        var resolved = await ResolveAsync(configuration);

        Assert.Equal(GeminiValue, configuration["Gemini:ApiKey"]);
        Assert.Equal("gemini-2.5-flash", configuration["Gemini:Model"]);
        Assert.Equal([new ResolvedReference("Gemini:ApiKey", new SecretReference("test-project", "gemini-api-key", "latest"))], resolved);
        Assert.Equal([GeminiName], standIn.Accessed);
        Assert.Equal(1, standIn.TokenRequests);
    }

    [Fact]
    public async Task EveryKeyCanBeAReferenceAndOneTokenServesThemAll()
    {
        standIn.Add("projects/test-project/secrets/postgres-app/versions/3", "Host=db;Password=p");
        using var configuration = Configuration(new()
        {
            ["Gemini:ApiKey"] = GeminiReference,
            ["Grading:Gemini:ApiKey"] = GeminiReference,
            ["ConnectionStrings:Postgres"] = "sm://projects/test-project/secrets/postgres-app/versions/3",
        });

        var resolved = await ResolveAsync(configuration);

        Assert.Equal(3, resolved.Count);
        Assert.Equal("Host=db;Password=p", configuration.GetConnectionString("Postgres"));
        Assert.Equal(GeminiValue, configuration["Grading:Gemini:ApiKey"]);
        Assert.Equal(2, standIn.Accessed.Count);
        Assert.Equal(1, standIn.TokenRequests);
    }

    [Fact]
    public async Task WithoutReferencesNoCredentialIsLookedUpAndNothingIsCalled()
    {
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = "plain" });

        var resolved = await SecretReferenceResolver.ResolveAsync(configuration, _ => throw new InvalidOperationException("must not be called"), CancellationToken.None);

        Assert.Empty(resolved);
        Assert.Equal("plain", configuration["Gemini:ApiKey"]);
        Assert.Empty(standIn.Accessed);
    }

    [Fact]
    public async Task PlainHttpBaseUrlIsRefusedOutsideDevelopmentBeforeAnyTokenIsFetched()
    {
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = GeminiReference });

        var error = await Assert.ThrowsAsync<SecretsException>(() => SecretReferenceResolver.ResolveAsync(configuration, Credential, CancellationToken.None));

        Assert.Equal($"SecretManager__BaseUrl ({standIn.BaseUrl}) must be https outside Development: every request to it carries a Google access token.", error.Message);
        Assert.Equal(0, standIn.TokenRequests);
        Assert.Empty(standIn.Accessed);
    }

    [Theory]
    [InlineData("ftp://secrets.example/")]
    [InlineData("not a url")]
    public async Task BaseUrlThatIsNotHttpIsRefused(string baseUrl)
    {
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = GeminiReference });
        configuration["SecretManager:BaseUrl"] = baseUrl;

        var error = await Assert.ThrowsAsync<SecretsException>(() => ResolveAsync(configuration));

        Assert.EndsWith("is not an absolute http(s) URL.", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, standIn.TokenRequests);
    }

    [Fact]
    public async Task TransientErrorsAreRetried()
    {
        standIn.Script(GeminiName, 503, 500);
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = GeminiReference });

        await ResolveAsync(configuration);

        Assert.Equal(GeminiValue, configuration["Gemini:ApiKey"]);
        Assert.Equal(3, standIn.Accessed.Count);
    }

    [Fact]
    public async Task PersistentServerErrorsFailAfterAFewAttempts()
    {
        standIn.Script(GeminiName, 503, 503, 429);
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = GeminiReference });

        var message = await FailsAsync(configuration);

        Assert.Equal($"Gemini__ApiKey: Secret Manager reference {GeminiReference} could not be read: HTTP 429, after 3 attempts.", message);
        Assert.Equal(3, standIn.Accessed.Count);
    }

    [Fact]
    public async Task MissingSecretFailsAtOnceNamingTheKeyAndTheReference()
    {
        const string reference = "sm://projects/test-project/secrets/nope/versions/latest";
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = reference });

        var message = await FailsAsync(configuration);

        Assert.StartsWith($"Gemini__ApiKey: Secret Manager reference {reference} could not be read: not found (404)", message, StringComparison.Ordinal);
        Assert.Single(standIn.Accessed);
    }

    [Fact]
    public async Task PermissionDeniedFailsAtOnceAndSaysWhichRoleIsMissing()
    {
        standIn.Script(GeminiName, 403);
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = GeminiReference });

        var message = await FailsAsync(configuration);

        Assert.Contains("permission denied (403)", message, StringComparison.Ordinal);
        Assert.Contains("roles/secretmanager.secretAccessor", message, StringComparison.Ordinal);
        Assert.Single(standIn.Accessed);
    }

    [Fact]
    public async Task PayloadFailingItsChecksumIsRefused()
    {
        standIn.ScriptBody(GeminiName, SecretManagerStandIn.PayloadJson(GeminiName, GeminiValue, crc32c: 12345));
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = GeminiReference });

        var message = await FailsAsync(configuration);

        Assert.EndsWith("the payload failed its CRC32C check.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PayloadWithoutAChecksumIsAccepted()
    {
        standIn.ScriptBody(GeminiName, JsonSerializer.Serialize(new { name = GeminiName, payload = new { data = Convert.ToBase64String("no-crc"u8) } }));
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = GeminiReference });

        await ResolveAsync(configuration);

        Assert.Equal("no-crc", configuration["Gemini:ApiKey"]);
    }

    [Fact]
    public async Task MalformedReferenceFailsBeforeAnyCall()
    {
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = "sm://projects/test-project/secrets/gemini-api-key" });

        var message = await FailsAsync(configuration);

        Assert.Equal("Gemini__ApiKey holds a malformed Secret Manager reference (sm://projects/test-project/secrets/gemini-api-key); expected sm://projects/PROJECT/secrets/SECRET/versions/VERSION.", message);
        Assert.Equal(0, standIn.TokenRequests);
    }

    [Fact]
    public async Task UnreachableSecretManagerFailsAfterRetries()
    {
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = GeminiReference }, new Uri($"http://127.0.0.1:{FreePort.Next()}/"));

        var message = await FailsAsync(configuration);

        Assert.Equal($"Gemini__ApiKey: Secret Manager reference {GeminiReference} could not be read: Secret Manager is unreachable (ConnectionError), after 3 attempts.", message);
    }

    [Fact]
    public async Task CredentialsTheTokenEndpointRejectsFailStartUp()
    {
        await using var other = await SecretManagerStandIn.StartAsync();
        var json = JsonDocument.Parse(other.ServiceAccountJson()).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        json["token_uri"] = standIn.TokenUri.ToString();
        var foreignKey = CredentialFactory.FromJson<ServiceAccountCredential>(JsonSerializer.Serialize(json)).ToGoogleCredential();
        using var configuration = Configuration(new() { ["Gemini:ApiKey"] = GeminiReference });

        var error = await Assert.ThrowsAsync<SecretsException>(() => SecretReferenceResolver.ResolveAsync(configuration, _ => Task.FromResult(foreignKey), CancellationToken.None, allowPlainHttp: true));

        Assert.EndsWith("no access token: the token endpoint refused the credentials (invalid_grant).", error.Message, StringComparison.Ordinal);
        Assert.Empty(standIn.Accessed);
    }

    [Fact]
    public async Task RequestsWithoutAValidBearerTokenAreRefusedByTheStandIn()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(standIn.BaseUrl, $"v1/{GeminiName}:access"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "ya29.made-up");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
