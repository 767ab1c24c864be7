namespace LearnPlatform.Core.Webhooks;

/// <summary>
/// Where a tenant wants its events: the URL, the event types, and the signing secret as AES-GCM ciphertext under
/// Webhooks:SecretKey. Holds nothing about any user; who created it is in the audit trail.
/// </summary>
public sealed class WebhookEndpoint
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public required string Url { get; set; }
    public required string[] Events { get; set; }
    public required byte[] SecretCiphertext { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the first of the failures since the last success happened; null while deliveries succeed.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    /// <summary>Set once deliveries have failed for <see cref="WebhookOptions.DisableAfter"/>; nothing is sent after.</summary>
    public DateTimeOffset? DisabledAt { get; set; }
}

/// <summary>One attempt to deliver one message to one endpoint: what came back, how long it took, or what went wrong.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid EndpointId { get; set; }
    public required string MessageId { get; set; }
    public required string EventType { get; set; }
    public int Attempt { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }
    public int? StatusCode { get; set; }
    public int DurationMs { get; set; }
    public bool Succeeded { get; set; }
    public string? Error { get; set; }
}

public static class WebhookEvents
{
    public const string SessionSubmitted = "session.submitted";
    public const string SessionGraded = "session.graded";
    public const string SessionNeedsReview = "session.needs_review";

    public static readonly IReadOnlyList<string> All = [SessionSubmitted, SessionGraded, SessionNeedsReview];
}
