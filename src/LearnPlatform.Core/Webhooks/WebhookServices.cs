using LearnPlatform.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Core.Webhooks;

public static class WebhookServices
{
    /// <summary>Secrets, destination checks and the delivery activities (API and worker).</summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.SectionName));
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookDestinations>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<WebhookDeliveryActivities>(sp, CreateClient(sp.GetRequiredService<WebhookDestinations>())));
        services.AddHostedService<WebhookStartupLog>();
        return services;
    }

    public static WorkflowRegistry RegisterWebhookDelivery(this WorkflowRegistry registry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var options = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        return registry.Register(WebhookMessages.WorkflowType, new WebhookDeliveryWorkflow(services.GetRequiredService<WebhookDeliveryActivities>(), options));
    }

    /// <summary>
    /// Not from IHttpClientFactory, whose handlers log request URLs (a receiver's URL may carry its own token). No proxy:
    /// a proxy would connect in our stead, past the destination checks of the connect callback. No redirects, no cookies.
    /// </summary>
    private static HttpClient CreateClient(WebhookDestinations destinations) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectCallback = destinations.ConnectAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
}

/// <summary>Says at start when the SSRF checks are lifted, so it is never a silent default of a production deployment.</summary>
internal sealed partial class WebhookStartupLog(WebhookDestinations destinations, IOptions<WebhookOptions> options, ILogger<WebhookStartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!destinations.ChecksEnforced)
        {
            ChecksLifted(logger, options.Value.AllowPrivateNetworks is null ? "unset outside Production" : "true");
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhooks__AllowPrivateNetworks is {Setting}: webhooks may use http and reach loopback, private, link-local, CGNAT and metadata addresses")]
    private static partial void ChecksLifted(ILogger logger, string setting);
}
