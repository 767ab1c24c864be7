using LearnPlatform.Api;
using LearnPlatform.Api.Http;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Configuration;
using LearnPlatform.LocalDev;
using LearnPlatform.LocalDev.LocalPostgres;
using Microsoft.Extensions.Options;

// `make run`: the API on embedded defaults. Without ConnectionStrings__Postgres it starts a private PostgreSQL
// cluster, the Auth Emulator and the code sandbox, seeds a demo tenant, and prints a walk-through. Development only:
// the production image holds LearnPlatform.Api and LearnPlatform.Worker, not this project.
// The API's appsettings.json is copied beside this program; `dotnet run` would otherwise read this project's folder.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
LocalEnvironment? local = null;
try
{
    await builder.AddLearnPlatformSecretsAsync();
    ListenPorts.EnsureFree(builder.Configuration);
    local = await LocalEnvironment.StartIfNeededAsync(builder, CancellationToken.None);
    var app = LearnPlatformApp.Build(builder);
    if (local is not null)
    {
        app.Lifetime.ApplicationStarted.Register(() => local.PrintWalkThrough(app.Urls.First(), app.Services.GetRequiredService<IOptionsMonitor<GeminiOptions>>().CurrentValue.HasApiKey));
    }
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is StartupException or LocalRunException or LocalPostgresException or SecretsException)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 1;
}
finally
{
    if (local is not null)
    {
        await local.DisposeAsync();
    }
}
