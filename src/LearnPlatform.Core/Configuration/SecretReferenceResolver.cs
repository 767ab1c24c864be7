using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Configuration;

namespace LearnPlatform.Core.Configuration;

/// <summary>
/// Replaces every configuration value that is a Secret Manager reference with the secret's payload, once, at
/// start-up: the payloads go into an in-memory source added on top of the others.
/// </summary>
public static class SecretReferenceResolver
{
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    /// <returns>The keys (in <c>Section__Key</c> form) and the references that were resolved; never the values.</returns>
    /// <param name="allowPlainHttp">Development only: outside it the base URL must be https, since every request carries an access token.</param>
    public static async Task<IReadOnlyList<ResolvedReference>> ResolveAsync(
        IConfigurationManager configuration, Func<CancellationToken, Task<GoogleCredential>> credential, CancellationToken ct,
        HttpMessageHandler? handler = null, bool allowPlainHttp = false)
    {
        var found = new List<ResolvedReference>();
        foreach (var (key, value) in configuration.AsEnumerable().OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!SecretReference.LooksLikeReference(value))
            {
                continue;
            }
            if (!SecretReference.TryParse(value, out var reference))
            {
                throw new SecretsException($"{EnvironmentName(key)} holds a malformed Secret Manager reference ({value}); expected {SecretReference.Scheme}projects/PROJECT/secrets/SECRET/versions/VERSION.");
            }
            found.Add(new ResolvedReference(key, reference));
        }
        if (found.Count == 0)
        {
            return found;
        }

        var baseUrl = BaseUrl(configuration, allowPlainHttp);
        GoogleCredential scoped;
        try
        {
            scoped = (await credential(ct)).CreateScoped(CloudPlatformScope);
        }
        catch (InvalidOperationException e)
        {
            throw new SecretsException($"{EnvironmentName(found[0].Key)} refers to Secret Manager ({found[0].Reference}) but no Google credentials were found: {FirstLine(e.Message)}");
        }

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(10);
        var client = new SecretManagerClient(http, baseUrl, token => ((ITokenAccess)scoped).GetAccessTokenForRequestAsync(cancellationToken: token));
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var byReference = new Dictionary<SecretReference, string>();
        foreach (var (key, reference) in found)
        {
            if (!byReference.TryGetValue(reference, out var value))
            {
                try
                {
                    value = await client.AccessAsync(reference, ct);
                }
                catch (SecretManagerException e)
                {
                    throw new SecretsException($"{EnvironmentName(key)}: Secret Manager reference {reference} could not be read: {e.Message}.");
                }
                byReference[reference] = value;
            }
            values[key] = value;
        }
        configuration.AddInMemoryCollection(values);
        return found;
    }

    private static Uri BaseUrl(IConfiguration configuration, bool allowPlainHttp)
    {
        if (configuration["SecretManager:BaseUrl"] is not { Length: > 0 } configured)
        {
            return SecretManagerClient.DefaultBaseUrl;
        }
        if (!Uri.TryCreate(configured.TrimEnd('/') + "/", UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new SecretsException($"SecretManager__BaseUrl ({configured}) is not an absolute http(s) URL.");
        }
        if (url.Scheme != Uri.UriSchemeHttps && !allowPlainHttp)
        {
            throw new SecretsException($"SecretManager__BaseUrl ({configured}) must be https outside Development: every request to it carries a Google access token.");
        }
        return url;
    }

    /// <summary>The key as operators write it in environment variables and secret file names.</summary>
    public static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}

public sealed record ResolvedReference(string Key, SecretReference Reference);
