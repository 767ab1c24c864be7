using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
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
        services.AddSingleton<PlatformKeys>();
        services.AddSingleton<LaunchTokenValidator>();
        services.AddSingleton<StateCookie>();
        return services;
    }

    public static void MapLti(this IEndpointRouteBuilder routes)
    {
        var tool = routes.MapGroup("/lti").AllowAnonymous();
        tool.MapGet("/jwks", LtiToolApi.Jwks);
        tool.MapGet("/login", LtiToolApi.LoginAsync);
        tool.MapPost("/login", LtiToolApi.LoginAsync);
        tool.MapPost("/launch", LtiToolApi.LaunchAsync);

        var api = routes.MapGroup("/api/v1/lti");
        api.MapPost("/exchange", LtiExchangeApi.ExchangeAsync).AllowAnonymous();
        api.MapPost("/deep-linking", LtiExchangeApi.DeepLinkingResponseAsync).AllowAnonymous();

        var platforms = api.MapGroup("/platforms").RequireAuthorization(Policies.Admin);
        platforms.MapPost("", LtiPlatformsApi.CreateAsync).Validate<LtiPlatformRequest>();
        platforms.MapGet("", LtiPlatformsApi.ListAsync);
        platforms.MapGet("/{id:guid}", LtiPlatformsApi.GetAsync);
        platforms.MapPut("/{id:guid}", LtiPlatformsApi.UpdateAsync).Validate<LtiPlatformRequest>();
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
