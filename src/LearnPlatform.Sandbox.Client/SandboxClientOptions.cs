namespace LearnPlatform.Sandbox.Client;

/// <summary>Configuration section <c>Sandbox</c> of the callers (API, worker).</summary>
public sealed class SandboxClientOptions
{
    public const string Section = "Sandbox";

    /// <summary><c>Sandbox__BaseUrl</c>, for example http://learnplatform-sandbox:8080.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary><c>Sandbox__Secret</c>, sent as <c>X-Sandbox-Secret</c>; read at every call, so a rotated mounted secret is used at once.</summary>
    public string? Secret { get; set; }

    /// <summary>How long one call may take, the wait in the service's queue included; past it the call is transient.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}
