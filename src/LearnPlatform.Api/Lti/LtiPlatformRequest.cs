using FluentValidation;
using LearnPlatform.Core.Lti;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Lti;

/// <summary>A platform (LMS) as an admin registers it: what the LMS shows when the tool is added to it.</summary>
public sealed record LtiPlatformRequest(
    string? Issuer,
    string? ClientId,
    IReadOnlyList<string?>? DeploymentIds,
    string? AuthLoginUrl,
    string? TokenUrl,
    string? JwksUrl);

public sealed record LtiPlatformResponse(
    Guid Id,
    string Issuer,
    string ClientId,
    IReadOnlyList<string> DeploymentIds,
    string AuthLoginUrl,
    string TokenUrl,
    string JwksUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static LtiPlatformResponse From(LtiPlatform platform, IEnumerable<string> deploymentIds) =>
        new(platform.Id, platform.Issuer, platform.ClientId, deploymentIds.Order(StringComparer.Ordinal).ToList(),
            platform.AuthLoginUrl, platform.TokenUrl, platform.JwksUrl, platform.CreatedAt, platform.UpdatedAt);
}

public sealed class LtiPlatformRequestValidator : AbstractValidator<LtiPlatformRequest>
{
    public const int MaxDeployments = 50;

    public LtiPlatformRequestValidator(IOptions<LtiOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        // Platform URLs carry the tool's credentials and its users' identities: https, except in tests and private deployments.
        var httpAllowed = options.Value.AllowHttp || !environment.IsProduction();
        var schemes = httpAllowed ? "http or https" : "https";
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(r => r.Issuer).NotEmpty().WithMessage("The platform's issuer is required.")
            .MaximumLength(500).WithMessage("The issuer may have at most 500 characters.")
            .Must(u => IsUrl(u, httpAllowed)).WithMessage($"The issuer must be an absolute {schemes} URL, as the platform's id_tokens name it.");
        RuleFor(r => r.ClientId).NotEmpty().WithMessage("The client_id the platform gave the tool is required.")
            .MaximumLength(255).WithMessage("The client_id may have at most 255 characters.");
        RuleFor(r => r.DeploymentIds).NotEmpty().WithMessage("At least one deployment id is required.")
            .Must(d => d!.Count <= MaxDeployments).WithMessage($"At most {MaxDeployments} deployment ids.")
            .Must(d => d!.Distinct(StringComparer.Ordinal).Count() == d!.Count).WithMessage("The deployment ids must all be different.");
        RuleForEach(r => r.DeploymentIds).Cascade(CascadeMode.Continue)
            .NotEmpty().WithMessage("A deployment id must not be empty.")
            .MaximumLength(255).WithMessage("A deployment id may have at most 255 characters.");
        foreach (var (url, name) in new (System.Linq.Expressions.Expression<Func<LtiPlatformRequest, string?>>, string)[]
                 {
                     (r => r.AuthLoginUrl, "auth_login_url"), (r => r.TokenUrl, "token_url"), (r => r.JwksUrl, "jwks_url"),
                 })
        {
            RuleFor(url).NotEmpty().WithMessage($"{name} is required.")
                .MaximumLength(2000).WithMessage($"{name} may have at most 2000 characters.")
                .Must(u => IsUrl(u, httpAllowed)).WithMessage($"{name} must be an absolute {schemes} URL without user info or fragment.");
        }
    }

    private static bool IsUrl(string? value, bool httpAllowed) =>
        LtiUrls.IsHttpUrl(value) && (httpAllowed || value!.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
}
