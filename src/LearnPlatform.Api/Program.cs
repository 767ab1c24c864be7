using LearnPlatform.Api;
using LearnPlatform.Api.Cli;
using LearnPlatform.Api.LocalRun;
using LearnPlatform.Core.LocalPostgres;

if (OperatorCli.IsCommand(args))
{
    var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    return await OperatorCli.RunAsync(args, configuration, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
LocalEnvironment? local = null;
try
{
    local = await LocalEnvironment.StartIfNeededAsync(builder, CancellationToken.None);
    var app = LearnPlatformApp.Build(builder);
    if (local is not null)
    {
        app.Lifetime.ApplicationStarted.Register(() => local.PrintWalkThrough(app.Urls.First()));
    }
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is StartupException or LocalRunException or LocalPostgresException)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 1;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    await Console.Error.WriteLineAsync($"error: {e.Message} Stop whatever holds the port, or choose another with ASPNETCORE_URLS.");
    return 1;
}
finally
{
    if (local is not null)
    {
        await local.DisposeAsync();
    }
}
