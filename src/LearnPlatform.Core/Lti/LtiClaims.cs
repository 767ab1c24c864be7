namespace LearnPlatform.Core.Lti;

/// <summary>Claim names and values of IMS LTI Core 1.3, Deep Linking 2.0 and Assignment and Grade Services 2.0.</summary>
public static class LtiClaims
{
    public const string MessageType = "https://purl.imsglobal.org/spec/lti/claim/message_type";
    public const string Version = "https://purl.imsglobal.org/spec/lti/claim/version";
    public const string DeploymentId = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
    public const string TargetLinkUri = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";
    public const string ResourceLink = "https://purl.imsglobal.org/spec/lti/claim/resource_link";
    public const string Roles = "https://purl.imsglobal.org/spec/lti/claim/roles";
    public const string Custom = "https://purl.imsglobal.org/spec/lti/claim/custom";
    public const string AgsEndpoint = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
    public const string DeepLinkingSettings = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
    public const string DeepLinkingContentItems = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items";
    public const string DeepLinkingData = "https://purl.imsglobal.org/spec/lti-dl/claim/data";

    public const string Version13 = "1.3.0";
    public const string DeepLinkingResponse = "LtiDeepLinkingResponse";

    public const string LineItemScope = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
    public const string ScoreScope = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
    public const string ScoreMediaType = "application/vnd.ims.lis.v1.score+json";

    /// <summary>The custom parameter that names the paper a resource link launches.</summary>
    public const string PaperIdParameter = "paper_id";
}
