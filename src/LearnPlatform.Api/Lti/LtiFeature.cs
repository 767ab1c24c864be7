using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Core.Lti;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Lti;

/// <summary>
/// The LTI 1.3 tool: platforms registered per tenant by admins, the tool's JWKS, OIDC third-party login, the launch
/// (resource links and deep linking), and the code exchange of the frontend. Grade passback is in Core (the worker
/// runs it too); see <see cref="LtiPassback"/>.
/// </summary>
public static class LtiFeature
{
    public static IServiceCollection AddLti(this IServiceCollection services)
    {
        services.AddSingleton<IValidator<LtiPlatformRequest>, LtiPlatformRequestValidator>();
        services.AddSingleton<IValidator<LtiExchangeRequest>, LtiExchangeRequestValidator>();
        services.AddSingleton<IValidator<LtiDeepLinkingRequest>, LtiDeepLinkingRequestValidator>();
        services.AddSingleton<PlatformKeys>();
        services.AddSingleton<LaunchTokenValidator>();
        services.AddSingleton<StateCookie>();
        return services;
    }

    /// <summary>The tool's browser-facing endpoints an LMS calls, outside /api/v1: no credential, the platform's proofs instead.</summary>
    public static void MapLtiTool(this IEndpointRouteBuilder routes)
    {
        var tool = routes.MapGroup("/lti").AllowAnonymous();
        tool.MapGet("/jwks", LtiToolApi.Jwks);
        tool.MapGet("/login", LtiToolApi.LoginAsync);
        tool.MapPost("/login", LtiToolApi.LoginAsync);
        tool.MapPost("/launch", LtiToolApi.LaunchAsync);
    }

    /// <summary>The frontend's side of a launch (its one-time code is the credential) and the admins' platform registrations.</summary>
    public static void MapLti(this ApiRoutes routes)
    {
        var launch = routes.Anonymous.MapGroup("/lti");
        launch.MapPost("/exchange", LtiExchangeApi.ExchangeAsync).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        launch.MapPost("/deep-linking", LtiExchangeApi.DeepLinkingResponseAsync).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var platforms = routes.Admins.MapGroup("/lti/platforms");
        platforms.MapPost("", LtiPlatformsApi.CreateAsync).ProducesProblem(StatusCodes.Status409Conflict);
        platforms.MapGet("", LtiPlatformsApi.ListAsync);
        platforms.MapGet("/{id:guid}", LtiPlatformsApi.GetAsync);
        platforms.MapPut("/{id:guid}", LtiPlatformsApi.UpdateAsync).ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>Refuses to start on a tool key that is not a usable RSA private key, or on half of LTI's settings.</summary>
    public static void CheckConfiguration(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<LtiOptions>>().Value;
        var hasKey = !string.IsNullOrWhiteSpace(options.ToolPrivateKey);
        var hasFrontend = !string.IsNullOrWhiteSpace(options.FrontendUrl);
        if (hasKey != hasFrontend)
        {
            throw new StartupException("Lti__ToolPrivateKey and Lti__FrontendUrl are set together or not at all.");
        }
        foreach (var (name, value) in new[] { ("Lti__FrontendUrl", options.FrontendUrl), ("Lti__ToolUrl", options.ToolUrl) })
        {
            if (!string.IsNullOrWhiteSpace(value) && !LtiUrls.IsHttpUrl(value))
            {
                throw new StartupException($"{name} must be an absolute http or https URL.");
            }
        }
        try
        {
            _ = services.GetRequiredService<LtiToolKey>();
        }
        catch (LtiConfigurationException e)
        {
            throw new StartupException(e.Message);
        }
    }
}
