namespace LearnPlatform.Core.Ai.Gemini;

/// <summary>
/// Gemini settings (configuration section "Gemini"), read through IOptionsMonitor at every call, so a rotated key
/// (a mounted secret) or a changed model applies to the next call without a restart.
/// </summary>
public sealed class GeminiOptions
{
    public const string SectionName = "Gemini";

    /// <summary>The platform's key. Null or empty: none, so calls need a tenant's key or the caller's own.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Tenants' own keys by tenant id (Gemini:TenantKeys:&lt;tenant id&gt;), used before the platform's.</summary>
    public Dictionary<string, string?> TenantKeys { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public const string DefaultModel = "gemini-2.5-flash";

    /// <summary>
    /// Unset, null or blank means <see cref="DefaultModel"/>: configuration binds a cleared value (a key set to null,
    /// an empty <c>Gemini__Model</c>) as null or "", and a call must never be made, or crash, without a model.
    /// </summary>
    public string Model
    {
        get => model;
        set => model = string.IsNullOrWhiteSpace(value) ? DefaultModel : value.Trim();
    }

    private string model = DefaultModel;

    /// <summary>Overridable so tests can point the client at a local stand-in speaking the same REST API.</summary>
    public string BaseUrl { get; set; } = "https://generativelanguage.googleapis.com";

    /// <summary>For one call, from sending the request to reading the whole response.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool HasApiKey => !string.IsNullOrWhiteSpace(ApiKey);

    public string? TenantKey(Guid tenantId) =>
        TenantKeys.TryGetValue(tenantId.ToString(), out var key) && !string.IsNullOrWhiteSpace(key) ? key.Trim() : null;
}
