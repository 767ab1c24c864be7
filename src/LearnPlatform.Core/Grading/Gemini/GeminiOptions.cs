namespace LearnPlatform.Core.Grading.Gemini;

/// <summary>The platform's Gemini settings (configuration section "Gemini"). A bring-your-own key overrides ApiKey per call.</summary>
public sealed class GeminiOptions
{
    public const string SectionName = "Gemini";

    /// <summary>Null or empty: no platform key, so grading that needs the AI goes to review.</summary>
    public string? ApiKey { get; set; }

    public string Model { get; set; } = "gemini-2.5-flash";

    /// <summary>Overridable so tests can point the client at a local stand-in speaking the same REST API.</summary>
    public string BaseUrl { get; set; } = "https://generativelanguage.googleapis.com";

    /// <summary>For one call, from sending the request to reading the whole response.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool HasApiKey => !string.IsNullOrWhiteSpace(ApiKey);
}
