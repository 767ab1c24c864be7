using LearnPlatform.Core.Ai.Gemini;

namespace LearnPlatform.Core.Ai;

public enum AiKeySource
{
    /// <summary>The caller's own key, from the X-API-Key header, for this request only.</summary>
    Caller,

    /// <summary>The tenant's key from configuration (Gemini:TenantKeys:&lt;tenant id&gt;).</summary>
    Tenant,

    /// <summary>The platform's key (Gemini:ApiKey); the only one held to the tenant's monthly spend cap.</summary>
    Platform,
}

/// <summary>A key for one call. ToString never shows the value, so a stray log line or exception cannot either.</summary>
public sealed class AiKey(string value, AiKeySource source)
{
    public string Value { get; } = value;

    public AiKeySource Source { get; } = source;

    public override string ToString() => $"AiKey({Source})";
}

public static class AiKeys
{
    /// <summary>
    /// The caller's own key, else the tenant's, else the platform's; null when there is none. Read from the options'
    /// current value at every call (mounted secrets reload), never from the database.
    /// </summary>
    public static AiKey? Choose(GeminiOptions options, Guid tenantId, string? callerKey)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (callerKey is not null)
            return new AiKey(callerKey, AiKeySource.Caller);
        if (options.TenantKey(tenantId) is { } tenantKey)
            return new AiKey(tenantKey, AiKeySource.Tenant);
        return options.HasApiKey ? new AiKey(options.ApiKey!.Trim(), AiKeySource.Platform) : null;
    }
}
