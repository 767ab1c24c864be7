namespace LearnPlatform.IntegrationTests.Hosts;

public sealed class WorkerHostTests
{
    [Fact]
    public async Task WorkerServesReadinessOverTheSharedDatabaseAndStopsCleanlyOnSigterm()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        var port = FreePort.Next();
        await using var worker = HostProcess.Start("LearnPlatform.Worker", new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Postgres"] = database.AppConnectionString,
        });
        await worker.WaitUntilReadyAsync(port);
        worker.Terminate();
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task WorkerWithoutAConnectionStringSaysSoInOneLine()
    {
        await using var worker = HostProcess.Start("LearnPlatform.Worker", new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });

        Assert.Equal(1, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("error: ConnectionStrings__Postgres is not set.", worker.Error.Trim());
    }
}

public sealed class MountedSecretsTests
{
    [Fact]
    public async Task ConnectionStringFromAMountedSecretFileIsUsed()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        var secrets = Directory.CreateTempSubdirectory("learnplatform-secrets-").FullName;
        await File.WriteAllTextAsync(Path.Combine(secrets, "ConnectionStrings__Postgres"), database.AppConnectionString);
        var port = FreePort.Next();
        try
        {
            await using var worker = HostProcess.Start("LearnPlatform.Worker", new Dictionary<string, string?>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["Secrets__Directory"] = secrets,
            });
            await worker.WaitUntilReadyAsync(port);
            Assert.DoesNotContain(database.AppConnectionString, worker.Output + worker.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(secrets, recursive: true);
        }
    }

    [Fact]
    public async Task MissingSecretsDirectoryIsAOneLineError()
    {
        await using var api = HostProcess.Start("LearnPlatform.Api", new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Secrets__Directory"] = "/nonexistent/secrets",
        });

        Assert.Equal(1, await api.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("error: Secrets__Directory=/nonexistent/secrets does not exist.", api.Error.Trim());
    }
}
