namespace LearnPlatform.Core.Webhooks;

/// <summary>Configuration section "Webhooks" (docs/configuration.md).</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Base64 of 32 bytes: the AES-256-GCM key the endpoints' signing secrets are stored under. A secret.</summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// Lifts the SSRF checks (http, loopback, private, link-local, CGNAT and metadata destinations). Null: lifted outside
    /// Production, enforced in Production.
    /// </summary>
    public bool? AllowPrivateNetworks { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a message is retried after its event.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan RetryInitialInterval { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan RetryMaximumInterval { get; set; } = TimeSpan.FromHours(2);

    /// <summary>An endpoint whose deliveries have failed this long without a success in between is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>How long delivery attempts are kept and listed.</summary>
    public TimeSpan DeliveryRetention { get; set; } = TimeSpan.FromDays(30);

    public const int MaxResponseBytes = 64 * 1024;
}
