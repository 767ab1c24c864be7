using LearnPlatform.Core.Grading;
using LearnPlatform.Core.Grading.Gemini;

namespace LearnPlatform.UnitTests.Grading;

/// <summary>An essay grader wired to its own Gemini stand-in, with every log line captured.</summary>
internal sealed class GradingHarness : IAsyncDisposable
{
    public const string PlatformKey = "AIzaSyTEST-platform-key-6f1c2b7e9d";

    private GradingHarness(GeminiStandIn gemini, HttpClient http, GeminiOptions options, EssayGraderOptions graderOptions)
    {
        Gemini = gemini;
        Http = http;
        Client = new GeminiClient(http, options, Logs.LoggerFor<GeminiClient>());
        Grader = new EssayGrader(Client, graderOptions, Logs.LoggerFor<EssayGrader>());
    }

    public GeminiStandIn Gemini { get; }

    public HttpClient Http { get; }

    public GeminiClient Client { get; }

    public EssayGrader Grader { get; }

    /// <summary>The client's and the grader's log lines ("Warning EssayGrader: ...").</summary>
    public CapturedLogs Logs { get; } = new();

    public static async Task<GradingHarness> StartAsync(string? apiKey = PlatformKey, int maxRetries = 2, TimeSpan? timeout = null, double reviewBelowConfidence = 0.5)
    {
        var gemini = await GeminiStandIn.StartAsync();
        var options = new GeminiOptions { ApiKey = apiKey, BaseUrl = gemini.BaseUrl.ToString(), Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        var graderOptions = new EssayGraderOptions { MaxRetries = maxRetries, ReviewBelowConfidence = reviewBelowConfidence };
        return new GradingHarness(gemini, new HttpClient(), options, graderOptions);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Gemini.DisposeAsync();
    }

    /// <summary>A grade for the contract's essay rubric: Mutability (2), use cases (2), syntax (1).</summary>
    public static object EssayGrade(decimal mutability = 2, decimal useCases = 1.5m, decimal syntax = 0.5m, decimal? total = null, double confidence = 0.9, string rationale = "Covers mutability well; use cases are thin.") => new
    {
        items = new object[]
        {
            new { criterion = "Mutability", score = mutability, max = 2 },
            new { criterion = "use cases", score = useCases, max = 2 },
            new { criterion = "syntax", score = syntax, max = 1 },
        },
        total = total ?? mutability + useCases + syntax,
        rationale,
        confidence,
    };
}
