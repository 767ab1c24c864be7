using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LearnPlatform.Sandbox.Client;

public static class SandboxClientRegistration
{
    /// <summary>Registers <see cref="SandboxClient"/> with its settings from the <c>Sandbox</c> section.</summary>
    public static IServiceCollection AddSandboxClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SandboxClientOptions>(configuration.GetSection(SandboxClientOptions.Section));
        // The client applies SandboxClientOptions.Timeout itself, so it can tell a timeout from the caller's cancellation.
        services.AddHttpClient<SandboxClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
