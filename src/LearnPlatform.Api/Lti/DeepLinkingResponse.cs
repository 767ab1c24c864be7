using LearnPlatform.Core.Data;
using LearnPlatform.Core.Lti;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LearnPlatform.Api.Lti;

/// <summary>
/// The LtiDeepLinkingResponse (Deep Linking 2.0, 4.2) for one picked paper: an ltiResourceLink that launches it (custom
/// paper_id) with a line item worth the paper's points, signed with the tool key, issued by the client_id to the platform.
/// </summary>
public static class DeepLinkingResponse
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public static string Create(LtiToolKey toolKey, LtiPlatform platform, LtiLaunch launch, PaperVersion paper, string launchUrl, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(toolKey);
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(paper);
        var title = paper.Content.Title;
        var contentItem = new Dictionary<string, object>
        {
            ["type"] = "ltiResourceLink",
            ["title"] = title,
            ["url"] = launchUrl,
            ["custom"] = new Dictionary<string, string> { [LtiClaims.PaperIdParameter] = paper.PaperId.ToString() },
            ["lineItem"] = new Dictionary<string, object>
            {
                ["scoreMaximum"] = paper.Content.Questions.Sum(q => q.Points),
                ["label"] = title,
                ["resourceId"] = paper.PaperId.ToString(),
            },
        };
        var claims = new Dictionary<string, object>
        {
            ["nonce"] = LtiToolApi.RandomToken(),
            [LtiClaims.MessageType] = LtiClaims.DeepLinkingResponse,
            [LtiClaims.Version] = LtiClaims.Version13,
            [LtiClaims.DeploymentId] = launch.DeploymentId,
            [LtiClaims.DeepLinkingContentItems] = new[] { contentItem },
        };
        if (launch.DeepLinkingData is { } data)
        {
            claims[LtiClaims.DeepLinkingData] = data;
        }
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = platform.ClientId,
            Audience = platform.Issuer,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + Lifetime).UtcDateTime,
            SigningCredentials = toolKey.SigningCredentials,
        });
    }
}
