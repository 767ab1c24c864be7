using LearnPlatform.Core.Grading.Gemini;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Ai.Keys;

public enum AiKeySource
{
    /// <summary>The caller's own key, from the X-API-Key header, for this request only.</summary>
    Caller,

    /// <summary>The tenant's key from configuration (Gemini:TenantKeys:&lt;tenant id&gt;).</summary>
    Tenant,

    /// <summary>The platform's key (Gemini:ApiKey); the only one whose spend is capped.</summary>
    Platform,
}

/// <summary>A key for one request. ToString never shows the value, so a stray log line or exception cannot either.</summary>
public sealed class AiKey(string value, AiKeySource source)
{
    public string Value { get; } = value;

    public AiKeySource Source { get; } = source;

    public override string ToString() => $"AiKey({Source})";
}

public abstract record AiKeyResolution
{
    public sealed record Found(AiKey Key) : AiKeyResolution;

    /// <summary>The caller sent an X-API-Key that cannot be a key (blank, too long, not printable ASCII).</summary>
    public sealed record Malformed : AiKeyResolution;

    /// <summary>No caller key, no tenant key, no platform key.</summary>
    public sealed record NotConfigured : AiKeyResolution;
}

/// <summary>
/// Picks the key for an AI call: the caller's X-API-Key, else the tenant's configured key, else the platform's.
/// Keys are read from configuration at each request (mounted secrets reload), never from the database.
/// </summary>
public sealed class AiKeyResolver(IConfiguration configuration, IOptionsMonitor<GeminiOptions> gemini)
{
    public const string Header = "X-API-Key";
    public const int MaxKeyLength = 256;

    public AiKeyResolution Resolve(HttpRequest request, Guid tenantId)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.TryGetValue(Header, out var values))
        {
            var value = values.Count == 1 ? values[0]?.Trim() : null;
            return value is { Length: > 0 and <= MaxKeyLength } && value.All(c => c is > ' ' and < '\u007f')
                ? new AiKeyResolution.Found(new AiKey(value, AiKeySource.Caller))
                : new AiKeyResolution.Malformed();
        }
        if (configuration[$"{GeminiOptions.SectionName}:TenantKeys:{tenantId}"] is { } tenantKey && !string.IsNullOrWhiteSpace(tenantKey))
            return new AiKeyResolution.Found(new AiKey(tenantKey.Trim(), AiKeySource.Tenant));
        if (gemini.CurrentValue.ApiKey is { } platformKey && !string.IsNullOrWhiteSpace(platformKey))
            return new AiKeyResolution.Found(new AiKey(platformKey.Trim(), AiKeySource.Platform));
        return new AiKeyResolution.NotConfigured();
    }
}
