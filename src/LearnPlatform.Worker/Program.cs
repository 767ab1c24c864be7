using LearnPlatform.Core.Audit;
using LearnPlatform.Core.Configuration;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Code;
using LearnPlatform.Core.Grading.Runs;
using LearnPlatform.Core.Health;
using LearnPlatform.Core.Telemetry;

// The worker host runs background work (grading) beside, or instead of, the API's in-process workers.
// It serves only /healthz and /readyz, for the orchestrator's probes, and /metrics when Telemetry__PrometheusPort is set.
var builder = WebApplication.CreateSlimBuilder(args);
try
{
    await builder.AddLearnPlatformSecretsAsync();
}
catch (SecretsException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 1;
}

var connectionString = builder.Configuration.GetConnectionString("Postgres");
if (string.IsNullOrWhiteSpace(connectionString))
{
    await Console.Error.WriteLineAsync("error: ConnectionStrings__Postgres is not set.");
    return 1;
}

if (SandboxSettings.Problem(builder.Configuration) is { } sandboxProblem)
{
    await Console.Error.WriteLineAsync($"error: {sandboxProblem}");
    return 1;
}

builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddLearnPlatformData(connectionString);
builder.Services.AddLearnPlatformTelemetry(builder.Configuration, builder.Environment, "learnplatform-worker");
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
builder.Services.AddGradingWorkflows(builder.Configuration);
builder.Services.AddWorkflowWorker(builder.Configuration);
builder.Services.AddAuditRetention(builder.Configuration);

var app = builder.Build();
app.MapHealth();
app.MapLearnPlatformMetrics();
await app.RunAsync();
return 0;
