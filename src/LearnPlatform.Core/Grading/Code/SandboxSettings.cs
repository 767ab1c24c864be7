using LearnPlatform.Sandbox.Client;
using Microsoft.Extensions.Configuration;

namespace LearnPlatform.Core.Grading.Code;

/// <summary>Whether the hosts call a code sandbox (<c>Sandbox__BaseUrl</c>), and whether its settings can work.</summary>
public static class SandboxSettings
{
    public const int MinSecretLength = 32;

    /// <summary>Without a base URL there is no sandbox: code answers wait for review and code runs answer 503.</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration?.GetSection(SandboxClientOptions.Section)["BaseUrl"]);

    /// <summary>Why the sandbox settings cannot work, in one line naming the key, or null.</summary>
    public static string? Problem(IConfiguration configuration)
    {
        if (!IsConfigured(configuration))
        {
            return null;
        }
        var section = configuration.GetSection(SandboxClientOptions.Section);
        if (!Uri.TryCreate(section["BaseUrl"], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return "Sandbox__BaseUrl must be an absolute http or https URL, e.g. http://learnplatform-sandbox:8080.";
        }
        return section["Secret"] is not { Length: >= MinSecretLength }
            ? $"Sandbox__Secret (at least {MinSecretLength} characters, the sandbox's own) is required with Sandbox__BaseUrl."
            : null;
    }
}
