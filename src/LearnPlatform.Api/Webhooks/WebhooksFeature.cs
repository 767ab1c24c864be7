using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Core.Webhooks;

namespace LearnPlatform.Api.Webhooks;

/// <summary>
/// Signed webhooks (Standard Webhooks): admins register endpoints here; deliveries are workflow runs started in the
/// transaction of the change they report, and run in Core (the worker runs them too); see <see cref="WebhookMessages"/>.
/// </summary>
public static class WebhooksFeature
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<IValidator<WebhookRequest>, WebhookRequestValidator>();
        return services;
    }

    public static void MapWebhooks(this ApiRoutes routes)
    {
        var webhooks = routes.Admins.MapGroup("/webhooks");
        webhooks.MapPost("", WebhooksApi.CreateAsync).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        webhooks.MapGet("", WebhooksApi.ListAsync);
        webhooks.MapDelete("/{id:guid}", WebhooksApi.DeleteAsync);
        webhooks.MapGet("/{id:guid}/deliveries", WebhooksApi.DeliveriesAsync);
    }

    /// <summary>Refuses to start on a Webhooks__SecretKey that is not base64 of 32 bytes.</summary>
    public static void CheckConfiguration(IServiceProvider services)
    {
        try
        {
            _ = services.GetRequiredService<WebhookSecrets>();
        }
        catch (WebhookConfigurationException e)
        {
            throw new StartupException(e.Message);
        }
    }
}
