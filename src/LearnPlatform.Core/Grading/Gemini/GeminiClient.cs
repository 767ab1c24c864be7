using LearnPlatform.Core.Telemetry;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LearnPlatform.Core.Grading.Gemini;

/// <summary>
/// Gemini's REST generateContent with structured JSON output, over a plain HttpClient (the Google SDKs do not restore here).
/// The key travels only in the x-goog-api-key header: never in the URL, a log line or an exception message.
/// </summary>
public sealed partial class GeminiClient(HttpClient http, GeminiOptions options, ILogger<GeminiClient>? logger = null, TimeProvider? time = null)
{
    private const string ApiKeyHeader = "x-goog-api-key";

    private readonly ILogger _logger = logger ?? NullLogger<GeminiClient>.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>True when the platform has a key of its own, so grading can call Gemini without one per call.</summary>
    public bool HasPlatformKey => options.HasApiKey;

    public string Model => options.Model;

    /// <param name="request">What to send.</param>
    /// <param name="apiKeyOverride">A caller's own key (bring your own key), used for this call instead of the platform's.</param>
    /// <param name="cancellationToken">Cancels the call; a cancellation is rethrown as is, never reported as a timeout.</param>
    /// <exception cref="GeminiException">Any failure of the call, normalized.</exception>
    public async Task<GeminiResponse> GenerateJsonAsync(GeminiRequest request, string? apiKeyOverride, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = string.IsNullOrWhiteSpace(apiKeyOverride) ? options.ApiKey : apiKeyOverride;
        if (string.IsNullOrWhiteSpace(key))
            throw new GeminiException(GeminiErrorKind.MissingKey);
        // HttpClient's own header validation would put the offending value, the key, into its exception message.
        if (!key.All(c => c is > ' ' and < '\u007f'))
            throw new GeminiException(GeminiErrorKind.InvalidKey);

        using var message = new HttpRequestMessage(HttpMethod.Post, Endpoint()) { Content = JsonContent.Create(Body(request)) };
        message.Headers.TryAddWithoutValidation(ApiKeyHeader, key);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var status = (int)response.StatusCode;
            var result = response.IsSuccessStatusCode
                ? GeminiResponseParser.Parse(body, status)
                : throw GeminiErrors.FromResponse(status, body, response.Headers.RetryAfter, _time.GetUtcNow());

            var elapsedMs = ElapsedMs(started);
            LogAnswered(_logger, options.Model, elapsedMs, result.Usage.PromptTokens, result.Usage.CandidatesTokens, result.Usage.ThoughtsTokens);
            AppTelemetry.TagAiCall(options.Model, result.Usage.PromptTokens, result.Usage.CandidatesTokens + result.Usage.ThoughtsTokens);
            return result;
        }
        catch (GeminiException e)
        {
            Log(e, started);
            throw;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Log(new GeminiException(GeminiErrorKind.Timeout, innerException: e), started);
        }
        catch (HttpRequestException e)
        {
            throw Log(new GeminiException(GeminiErrorKind.Unavailable, innerException: e), started);
        }
    }

    private Uri Endpoint()
    {
        var model = options.Model.StartsWith("models/", StringComparison.Ordinal) ? options.Model["models/".Length..] : options.Model;
        return new Uri($"{options.BaseUrl.TrimEnd('/')}/v1beta/models/{Uri.EscapeDataString(model)}:generateContent");
    }

    private static JsonObject Body(GeminiRequest request) => new()
    {
        ["systemInstruction"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = request.SystemInstruction }) },
        ["contents"] = new JsonArray(new JsonObject
        {
            ["role"] = "user",
            ["parts"] = new JsonArray(new JsonObject { ["text"] = request.UserText }),
        }),
        ["generationConfig"] = new JsonObject
        {
            ["responseMimeType"] = "application/json",
            ["responseSchema"] = request.ResponseSchema.DeepClone(),
            ["temperature"] = 0,
        },
    };

    private GeminiException Log(GeminiException error, long started)
    {
        var elapsedMs = ElapsedMs(started);
        LogFailed(_logger, options.Model, elapsedMs, error.Kind, error.HttpStatus, error.ApiStatus, error.RetryAfter);
        return error;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gemini {Model} answered in {ElapsedMs} ms: {PromptTokens} prompt, {CandidatesTokens} output, {ThoughtsTokens} thinking tokens")]
    private static partial void LogAnswered(ILogger logger, string model, long elapsedMs, int promptTokens, int candidatesTokens, int thoughtsTokens);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gemini {Model} call failed after {ElapsedMs} ms: {Kind} (HTTP {HttpStatus}, {ApiStatus}, retry after {RetryAfter})")]
    private static partial void LogFailed(ILogger logger, string model, long elapsedMs, GeminiErrorKind kind, int? httpStatus, string? apiStatus, TimeSpan? retryAfter);

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
