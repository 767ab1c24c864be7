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
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        HttpResponseMessage? ready = null;
        for (var i = 0; i < 100 && ready?.StatusCode != HttpStatusCode.OK; i++)
        {
            await Task.Delay(100);
            try
            {
                ready = await http.GetAsync("/readyz");
            }
            catch (HttpRequestException)
            {
            }
        }

        Assert.Equal(HttpStatusCode.OK, ready?.StatusCode);
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
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            HttpStatusCode? status = null;
            for (var i = 0; i < 100 && status != HttpStatusCode.OK; i++)
            {
                await Task.Delay(100);
                try
                {
                    status = (await http.GetAsync("/readyz")).StatusCode;
                }
                catch (HttpRequestException)
                {
                }
            }
            Assert.Equal(HttpStatusCode.OK, status);
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
