using LearnPlatform.Api;
using LearnPlatform.Api.Cli;
using LearnPlatform.Api.Http;
using LearnPlatform.Core.Configuration;

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

// The local run on embedded defaults (`make run`) is src/LearnPlatform.LocalDev; this host always needs its configuration.
var builder = WebApplication.CreateBuilder(args);
try
{
    await builder.AddLearnPlatformSecretsAsync();
    ListenPorts.EnsureFree(builder.Configuration);
    await LearnPlatformApp.Build(builder).RunAsync();
    return 0;
}
catch (Exception e) when (e is StartupException or SecretsException)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 1;
}
