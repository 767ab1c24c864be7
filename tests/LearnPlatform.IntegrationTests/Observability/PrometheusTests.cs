using Microsoft.AspNetCore.Hosting;

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

    [Fact]
    public async Task ApiAnswersMetricsOnItsManagementPortAndNotOnThePublicOneWhateverTheHostHeader()
    {
        var (publicPort, metricsPort) = (FreePort.Next(), FreePort.Next());
        await using var app = await TestApp.StartAsync(
            settings => settings["Telemetry:PrometheusPort"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            builder => builder.WebHost.UseUrls($"http://127.0.0.1:{publicPort}", $"http://127.0.0.1:{metricsPort}"));
        using var publicHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{publicPort}") };
        using var metricsHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        Assert.Equal(HttpStatusCode.OK, (await publicHttp.GetAsync("/healthz")).StatusCode);

        using var scraped = await metricsHttp.GetAsync("/metrics");
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Host = $"127.0.0.1:{metricsPort}" } };

        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("http_server_request_duration_seconds", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await publicHttp.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await publicHttp.SendAsync(spoofed)).StatusCode);
    }
}
