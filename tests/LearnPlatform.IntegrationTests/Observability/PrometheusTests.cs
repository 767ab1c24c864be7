namespace LearnPlatform.IntegrationTests.Observability;

public sealed class PrometheusTests
{
    [Fact]
    public async Task WorkerServesPrometheusMetricsOnItsManagementPortOnlyWhenAsked()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        var port = FreePort.Next();
        await using var worker = HostProcess.Start("LearnPlatform.Worker", new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Postgres"] = database.AppConnectionString,
            ["Telemetry__PrometheusPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await worker.WaitUntilReadyAsync(port, TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var metrics = await http.GetAsync("/metrics");
        var text = await metrics.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("learnplatform_workflow_queue_depth", text, StringComparison.Ordinal);
        Assert.Contains("learnplatform_workflow_parked_runs", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
        // Production logs are JSON lines.
        Assert.Contains(worker.Output.Split('\n'), line => line.StartsWith("{\"Timestamp\":", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAPrometheusPortThereIsNoMetricsEndpoint()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        var port = FreePort.Next();
        await using var worker = HostProcess.Start("LearnPlatform.Worker", new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Postgres"] = database.AppConnectionString,
        });
        await worker.WaitUntilReadyAsync(port, TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/metrics")).StatusCode);
    }
}
