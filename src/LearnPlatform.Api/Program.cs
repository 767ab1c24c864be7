using LearnPlatform.Api;
using LearnPlatform.Api.Cli;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.LocalRun;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Configuration;
using LearnPlatform.Core.LocalPostgres;
using Microsoft.Extensions.Options;

if (OperatorCli.IsCommand(args))
{
    using var configuration = new ConfigurationManager();
    configuration.AddEnvironmentVariables();
    try
    {
        // The migrations Job gets its connection strings as mounted files, like the hosts.
        await configuration.AddLearnPlatformSecretsAsync();
    }
    catch (SecretsException e)
    {
        await Console.Error.WriteLineAsync($"error: {e.Message}");
        return 1;
    }
    return await OperatorCli.RunAsync(args, configuration, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
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
