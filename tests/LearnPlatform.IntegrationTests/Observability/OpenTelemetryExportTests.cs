using System.Net.Http.Headers;
using LearnPlatform.Workflows;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LearnPlatform.IntegrationTests.Observability;

/// <summary>
/// The API exporting to a local OTLP/HTTP collector stand-in: spans, metrics and logs arrive, logs carry the trace ids
/// of their requests, and none of what arrives holds a token, key, password or answer sent to the API.
/// </summary>
public sealed class OpenTelemetryExportTests
{
    // The redaction test's probes (Audit/RedactionTests): recognisable secrets in every place a client puts them.
    private static readonly string Probe = Guid.NewGuid().ToString("N");
    private static readonly string ApiKey = $"AIzaRedactionProbe{Probe}";
    private static readonly string AnswerCanary = $"ANSWER-CANARY-{Probe}";
    private static readonly string PasswordCanary = $"PASSWORD-CANARY-{Probe}";
    private static readonly string BogusBearer = $"BEARER-CANARY-{Probe}";
    private static readonly string BogusGuest = $"lpg_GUEST-CANARY-{Probe}";

    [Fact]
    public async Task SpansMetricsAndLogsReachTheCollectorWithTraceIdsAndNoSecret()
    {
        await using var collector = await OtlpStandIn.StartAsync();
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseUrl.ToString().TrimEnd('/');
            settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        });
        var tenant = await app.CreateTenantAsync();
        var candidate = await app.SignUpAsync(tenant);
        var paper = await app.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        var client = app.ClientWithBearer(candidate.IdToken);
        client.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        var session = (await client.StartSessionAsync(paper)).Id();
        Assert.True((await client.SaveAsync(session, "q3", AnswerCanary)).IsSuccessStatusCode);
        var guest = await (await app.Client.PostAsJsonAsync($"/api/v1/guest-sessions?token={BogusGuest}", new { paper_id = paper, password = PasswordCanary }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var guestToken = guest.GetProperty("guest_token").GetString()!;
        using (var guestClient = app.ClientWithGuestToken(guestToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await guestClient.GetAsync($"/api/v1/sessions/{guest.GetProperty("session").Id()}?api_key={ApiKey}")).StatusCode);
        }
        using (var bogus = new HttpClient { BaseAddress = app.BaseAddress })
        {
            bogus.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BogusBearer);
            Assert.Equal(HttpStatusCode.Unauthorized, (await bogus.GetAsync("/api/v1/me")).StatusCode);
        }
        await app.Service<WorkflowQueueMonitor>().RefreshAsync(CancellationToken.None);

        app.Service<TracerProvider>().ForceFlush(5_000);
        app.Service<MeterProvider>().ForceFlush(5_000);
        app.Service<LoggerProvider>().ForceFlush(5_000);
        Assert.True(collector.Bodies("traces").Count > 0 && collector.Bodies("metrics").Count > 0 && collector.Bodies("logs").Count > 0,
            $"traces {collector.Bodies("traces").Count}, metrics {collector.Bodies("metrics").Count}, logs {collector.Bodies("logs").Count}, rejected {collector.Rejected}");

        var spans = collector.Spans();
        Assert.Contains(spans, s => s.Name == "POST /api/v1/guest-sessions");
        Assert.Contains(spans, s => s.Name.StartsWith("PUT /api/v1/sessions/", StringComparison.Ordinal));
        var metrics = collector.MetricNames();
        Assert.Contains("http.server.request.duration", metrics);
        Assert.Contains("learnplatform.workflow.queue.depth", metrics);
        Assert.Contains("dotnet.gc.collections", metrics);
        var logTraces = collector.LogTraceIds();
        Assert.NotEmpty(logTraces);
        var spanTraces = spans.Select(s => s.TraceId).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(logTraces, t => t.Length == 32 && spanTraces.Contains(t));

        var secrets = new Dictionary<string, string>
        {
            ["candidate's ID token"] = candidate.IdToken,
            ["candidate's ID token claims"] = candidate.IdToken.Split('.')[1],
            ["guest token"] = guestToken,
            ["guest token without prefix"] = guestToken["lpg_".Length..],
            ["API key"] = ApiKey,
            ["bogus bearer"] = BogusBearer,
            ["bogus guest token"] = BogusGuest,
            ["password"] = PasswordCanary,
            ["answer"] = AnswerCanary,
            ["probe"] = Probe,
        };
        var leaks = secrets.Select(s => (s.Key, Signals: collector.SignalsContaining(s.Value))).Where(s => s.Signals.Count > 0)
            .Select(s => $"{s.Key} ({string.Join('/', s.Signals)})").ToList();
        Assert.True(leaks.Count == 0, "in the exported telemetry: " + string.Join(", ", leaks));
        // The answer was saved, so the search above searched real traffic.
        Assert.Equal(1L, await app.CountAsync("SELECT count(*) FROM session_responses WHERE session_id = @id AND answer::text LIKE @canary",
            ("id", session), ("canary", $"%{AnswerCanary}%")));
    }
}
