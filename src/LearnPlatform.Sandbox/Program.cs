using LearnPlatform.Sandbox;
using LearnPlatform.Sandbox.Access;
using LearnPlatform.Sandbox.Health;
using LearnPlatform.Sandbox.Runs;

// The sandbox service: runs candidates' code under isolation for the API and the worker (docs/sandbox.md).
var builder = WebApplication.CreateSlimBuilder(args);
var options = new SandboxOptions();
builder.Configuration.GetSection(SandboxOptions.Section).Bind(options);
if (SandboxSetup.Problem(options) is { } problem)
{
    await Console.Error.WriteLineAsync($"error: {problem}");
    return 1;
}

builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
});
builder.Services.AddSandbox(options);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSecretCheck();
app.MapHealth();
app.MapRuns();
app.Services.GetRequiredService<ILogger<SandboxOptions>>().LogStartup(app.Services, options);
// The first check finds the runtime's files; doing it now keeps that off the first probe and the first run.
_ = app.Services.GetRequiredService<ReadinessProbe>().ProblemAsync(app.Lifetime.ApplicationStopping);
await app.RunAsync();
return 0;
