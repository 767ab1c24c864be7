namespace LearnPlatform.Api.Identity.Firebase;

public sealed class FirebaseOptions
{
    public const string SectionName = "Firebase";
    public const string EmulatorHostKey = "FIREBASE_AUTH_EMULATOR_HOST";

    public static readonly Uri GooglePublicKeysUrl =
        new("https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com");

    public string ProjectId { get; set; } = "";

    public Uri PublicKeysUrl { get; set; } = GooglePublicKeysUrl;

    public string? EmulatorHost { get; set; }

    public int MaxTokenLength { get; set; } = 16384;

    // Floor between two key fetches caused by an unknown kid, so random kids cannot force a fetch per request.
    public TimeSpan MinKeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(60);

    public bool IsEmulatorMode => !string.IsNullOrWhiteSpace(EmulatorHost);

    public string ExpectedIssuer => "https://securetoken.google.com/" + ProjectId;

    public static string? Validate(FirebaseOptions options, bool isProduction)
    {
        ArgumentNullException.ThrowIfNull(options);

        if (string.IsNullOrWhiteSpace(options.ProjectId))
            return "Firebase:ProjectId is required.";
        if (options.IsEmulatorMode && isProduction)
            return $"{EmulatorHostKey} is set: the Auth Emulator's unsigned tokens are never accepted in Production.";
        if (options.PublicKeysUrl is not { IsAbsoluteUri: true })
            return "Firebase:PublicKeysUrl must be an absolute URL.";
        if (isProduction && options.PublicKeysUrl.Scheme != Uri.UriSchemeHttps && !options.PublicKeysUrl.IsLoopback)
            return "Firebase:PublicKeysUrl must use https in Production.";
        if (options.MaxTokenLength <= 0)
            return "Firebase:MaxTokenLength must be positive.";
        if (options.MinKeyRefreshInterval < TimeSpan.Zero)
            return "Firebase:MinKeyRefreshInterval must not be negative.";
        return null;
    }
}
