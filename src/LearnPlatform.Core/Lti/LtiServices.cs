using LearnPlatform.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Core.Lti;

public static class LtiServices
{
    /// <summary>The tool key, the client that talks to platforms, and grade passback's activities (API and worker).</summary>
    public static IServiceCollection AddLtiTool(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<LtiOptions>(configuration.GetSection(LtiOptions.SectionName));
        services.AddSingleton<LtiToolKey>();
        services.AddHttpClient(AgsClient.HttpClientName, (sp, client) =>
            {
                client.Timeout = sp.GetRequiredService<IOptions<LtiOptions>>().Value.HttpTimeout;
                client.MaxResponseContentBufferSize = 1024 * 1024;
            })
            // Platforms are called with server-side credentials: a redirect is an error, not a place to send them.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        // One client for the process: it keeps the platforms' access tokens, and its pool is recycled for DNS changes.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<AgsClient>(sp,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(AgsClient.HttpClientName)));
        services.AddSingleton<LtiPassbackActivities>();
        return services;
    }

    public static WorkflowOptions PassbackWorkflowOptions(LtiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WorkflowOptions
        {
            MaxAttempts = options.PassbackMaxAttempts,
            Retry = new RetryPolicy { InitialInterval = options.PassbackRetryInitialInterval, MaximumInterval = options.PassbackRetryMaximumInterval },
        };
    }
}
