using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading;
using Microsoft.Extensions.Options;

namespace LearnPlatform.UnitTests.Grading;

/// <summary>An essay grader calling its own Gemini stand-in through the one Gemini client, with every log line captured.</summary>
internal sealed class GradingHarness : IAsyncDisposable
{
    public const string PlatformKey = "AIzaSyTEST-platform-key-6f1c2b7e9d";

    /// <summary>The evaluation kind's defaults: what grading sends.</summary>
    public static readonly GeminiOutputLimits Limits = new AiCallOptions().For(AiCallKind.Evaluation);

    private readonly string? apiKey;

    private GradingHarness(GeminiStandIn gemini, HttpClient http, GeminiOptions options, EssayGraderOptions graderOptions, string? apiKey)
    {
        Gemini = gemini;
        Http = http;
        this.apiKey = apiKey;
        Client = new GeminiClient(http, new FixedOptions<GeminiOptions>(options), Logs.LoggerFor<GeminiClient>(), TimeProvider.System);
        Grader = new EssayGrader(graderOptions, Logs.LoggerFor<EssayGrader>());
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
        var options = new GeminiOptions { BaseUrl = gemini.BaseUrl.ToString(), Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        var graderOptions = new EssayGraderOptions { MaxRetries = maxRetries, ReviewBelowConfidence = reviewBelowConfidence };
        return new GradingHarness(gemini, new HttpClient(), options, graderOptions, apiKey);
    }

    /// <summary>Calls straight through the client with <paramref name="key"/>, or the harness's key, as the call guard would.</summary>
    public AiCall Call(string? key = null) => (request, ct) => Client.GenerateJsonAsync(request, key ?? apiKey ?? "", Limits, ct);

    public Task<QuestionGrade> GradeAsync(Question question, string answer, string? key, CancellationToken ct) =>
        Grader.GradeAsync(question, answer, Call(key), ct);

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

/// <summary>Options that never change, for code that reads an IOptionsMonitor.</summary>
internal sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
