namespace LearnPlatform.Core.Lti;

/// <summary>The LTI 1.3 tool (configuration section "Lti"). LTI is on when the tool key and the frontend URL are set.</summary>
public sealed class LtiOptions
{
    public const string SectionName = "Lti";

    /// <summary>The tool's RSA private key (PEM, at least 2048 bits): a secret, from a mounted file or Secret Manager.</summary>
    public string? ToolPrivateKey { get; set; }

    /// <summary>Where a verified launch sends the browser, with <c>?lti_code=</c>; the frontend exchanges the code.</summary>
    public string? FrontendUrl { get; set; }

    /// <summary>The tool's public base URL (launch and deep-linking URLs); the request's own when unset.</summary>
    public string? ToolUrl { get; set; }

    /// <summary>Lets platform URLs be plain http in Production (tests and private deployments); they must be https otherwise.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>One call to a platform (keys, tokens, scores).</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts to post a score before the run is parked for an operator (runs retry).</summary>
    public int PassbackMaxAttempts { get; set; } = 12;

    public TimeSpan PassbackRetryInitialInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan PassbackRetryMaximumInterval { get; set; } = TimeSpan.FromMinutes(10);

    public bool IsEnabled => !string.IsNullOrWhiteSpace(ToolPrivateKey) && !string.IsNullOrWhiteSpace(FrontendUrl);
}
