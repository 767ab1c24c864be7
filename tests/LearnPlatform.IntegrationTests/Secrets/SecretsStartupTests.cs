namespace LearnPlatform.IntegrationTests.Secrets;

/// <summary>
/// The built hosts, run as child processes with application default credentials from a generated service
/// account key file (GOOGLE_APPLICATION_CREDENTIALS) whose token endpoint is the stand-in.
/// </summary>
public sealed class SecretsStartupTests : IAsyncLifetime
{
    private const string Reference = "sm://projects/test-project/secrets/postgres-app/versions/latest";
    private readonly string directory = Directory.CreateTempSubdirectory("learnplatform-adc-").FullName;
    private SecretManagerStandIn standIn = null!;
    private string credentialsFile = null!;

    public async Task InitializeAsync()
    {
        standIn = await SecretManagerStandIn.StartAsync(https: true);
        credentialsFile = standIn.WriteServiceAccountFile(directory);
    }

    public async Task DisposeAsync()
    {
        await standIn.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    private Dictionary<string, string?> Environment(Dictionary<string, string?> extra)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["GOOGLE_APPLICATION_CREDENTIALS"] = credentialsFile,
            ["SecretManager__BaseUrl"] = standIn.BaseUrl.ToString(),
            ["SSL_CERT_FILE"] = standIn.CertificateFile,
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }
        return environment;
    }

    private static async Task<string> FailsWithOneLineAsync(string project, Dictionary<string, string?> environment)
    {
        await using var host = HostProcess.Start(project, environment);

        Assert.Equal(1, await host.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(host.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", host.Output + host.Error, StringComparison.Ordinal);
        return line;
    }

    [Fact]
    public async Task WorkerReadsItsConnectionStringFromSecretManagerAndLogsOnlyTheReference()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        standIn.Add("projects/test-project/secrets/postgres-app/versions/latest", database.AppConnectionString);
        var port = FreePort.Next();
        await using var worker = HostProcess.Start("LearnPlatform.Worker", Environment(new()
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Postgres"] = Reference,
        }));

        await worker.WaitUntilReadyAsync(port);
        Assert.Contains($"Resolved 1 Secret Manager references at start-up: ConnectionStrings__Postgres={Reference}", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(database.AppConnectionString, worker.Output + worker.Error, StringComparison.Ordinal);
        Assert.Equal(1, standIn.TokenRequests);
    }

    [Fact]
    public async Task UnresolvableReferenceStopsTheApi()
    {
        var line = await FailsWithOneLineAsync("LearnPlatform.Api", Environment(new() { ["Gemini__ApiKey"] = "sm://projects/test-project/secrets/missing/versions/2" }));

        Assert.StartsWith("error: Gemini__ApiKey: Secret Manager reference sm://projects/test-project/secrets/missing/versions/2 could not be read: not found (404)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableSecretManagerStopsTheWorker()
    {
        var environment = Environment(new() { ["ConnectionStrings__Postgres"] = Reference });
        environment["SecretManager__BaseUrl"] = $"https://127.0.0.1:{FreePort.Next()}/";

        var line = await FailsWithOneLineAsync("LearnPlatform.Worker", environment);

        Assert.Equal($"error: ConnectionStrings__Postgres: Secret Manager reference {Reference} could not be read: Secret Manager is unreachable (ConnectionError), after 3 attempts.", line);
    }

    [Fact]
    public async Task UnreachableSecretManagerStopsTheApi()
    {
        var environment = Environment(new() { ["Gemini__ApiKey"] = Reference });
        environment["SecretManager__BaseUrl"] = $"https://127.0.0.1:{FreePort.Next()}/";

        var line = await FailsWithOneLineAsync("LearnPlatform.Api", environment);

        Assert.Contains("Secret Manager is unreachable", line, StringComparison.Ordinal);
        Assert.Contains("Gemini__ApiKey", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttpSecretManagerStopsTheApiInProduction()
    {
        var environment = Environment(new() { ["Gemini__ApiKey"] = Reference });
        environment["SecretManager__BaseUrl"] = "http://secretmanager.example/";

        var line = await FailsWithOneLineAsync("LearnPlatform.Api", environment);

        Assert.Equal("error: SecretManager__BaseUrl (http://secretmanager.example/) must be https outside Development: every request to it carries a Google access token.", line);
        Assert.Equal(0, standIn.TokenRequests);
    }

    [Fact]
    public async Task ReferenceWithoutGoogleCredentialsStopsTheApi()
    {
        var environment = Environment(new() { ["Gemini__ApiKey"] = Reference });
        environment["GOOGLE_APPLICATION_CREDENTIALS"] = Path.Combine(directory, "absent.json");

        var line = await FailsWithOneLineAsync("LearnPlatform.Api", environment);

        Assert.StartsWith($"error: Gemini__ApiKey refers to Secret Manager ({Reference}) but no Google credentials were found", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingSecretsDirectoryStopsTheWorker()
    {
        var line = await FailsWithOneLineAsync("LearnPlatform.Worker", Environment(new() { ["Secrets__Directory"] = "/nonexistent/secrets" }));

        Assert.Equal("error: Secrets__Directory=/nonexistent/secrets does not exist.", line);
    }

    [Fact]
    public async Task ProductionWithoutAFirebaseProjectStopsTheApi()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();

        var line = await FailsWithOneLineAsync("LearnPlatform.Api", Environment(new()
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["ConnectionStrings__Postgres"] = database.AppConnectionString,
        }));

        Assert.Equal("error: Firebase:ProjectId is required.", line);
    }
}

/// <summary>The migrations Job runs `migrate` with its connection strings mounted as files, never in the environment.</summary>
public sealed class OperatorCommandSecretsTests
{
    [Fact]
    public async Task MigrateReadsConnectionStringsFromMountedSecretFiles()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateEmptyDatabaseAsync();
        var secrets = Directory.CreateTempSubdirectory("learnplatform-secrets-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(secrets, "ConnectionStrings__Postgres"), database.AppConnectionString + "\n");
            await File.WriteAllTextAsync(Path.Combine(secrets, "ConnectionStrings__PostgresMigrations"), database.OwnerConnectionString + "\n");
            await using var migrate = HostProcess.Start("LearnPlatform.Api", new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Secrets__Directory"] = secrets,
            }, "migrate");

            Assert.Equal(0, await migrate.WaitForExitAsync(TimeSpan.FromSeconds(120)));
            Assert.Equal("migrations applied; application role granted", migrate.Output.Trim());
        }
        finally
        {
            Directory.Delete(secrets, recursive: true);
        }
    }

    [Fact]
    public async Task OperatorCommandWithAMissingSecretsDirectoryIsAOneLineError()
    {
        await using var migrate = HostProcess.Start("LearnPlatform.Api", new Dictionary<string, string?> { ["Secrets__Directory"] = "/nonexistent/secrets" }, "migrate");

        Assert.Equal(1, await migrate.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("error: Secrets__Directory=/nonexistent/secrets does not exist.", migrate.Error.Trim());
    }
}
