namespace LearnPlatform.Core.Lti;

/// <summary>An LMS registered by a tenant's admin: where its users sign in, where its keys and tokens are.</summary>
public sealed class LtiPlatform
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public required string Issuer { get; set; }
    public required string ClientId { get; set; }
    public required string AuthLoginUrl { get; set; }
    public required string TokenUrl { get; set; }
    public required string JwksUrl { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A deployment of a platform's tool key; it names the tenant, so it is unique across tenants.</summary>
public sealed class LtiDeployment
{
    public required string Issuer { get; set; }
    public required string ClientId { get; set; }
    public required string DeploymentId { get; set; }
    public Guid TenantId { get; set; }
    public Guid PlatformId { get; set; }
}

/// <summary>An LTI user (the platform's 'sub') and the candidate uid it acts as in the tenant.</summary>
public sealed class LtiUser
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid PlatformId { get; set; }
    public required string Subject { get; set; }
    public required string Uid { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A verified launch, until the frontend has exchanged its code (and, for deep linking, returned a choice).</summary>
public sealed class LtiLaunch
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid PlatformId { get; set; }
    public required string Uid { get; set; }
    public required string Role { get; set; }
    public required string MessageType { get; set; }
    public required string Nonce { get; set; }
    public required string DeploymentId { get; set; }
    public Guid? PaperId { get; set; }
    public string? ResourceLinkId { get; set; }
    public string? LineitemUrl { get; set; }
    public string? ReturnUrl { get; set; }
    public string? DeepLinkingData { get; set; }
    public byte[]? SecretHash { get; set; }
    public string? SecretKind { get; set; }
    public DateTimeOffset? SecretExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A session an LTI launch started, and the line item its grade is posted to (when the platform offered one).</summary>
public sealed class LtiSessionLink
{
    public Guid SessionId { get; set; }
    public Guid TenantId { get; set; }
    public Guid PlatformId { get; set; }
    public Guid LtiUserId { get; set; }
    public required string ResourceLinkId { get; set; }
    public string? LineitemUrl { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class LtiMessageTypes
{
    public const string ResourceLink = "LtiResourceLinkRequest";
    public const string DeepLinking = "LtiDeepLinkingRequest";
}

public static class LtiSecretKinds
{
    public const string Code = "code";
    public const string DeepLinking = "deep_linking";
}
