using LearnPlatform.Core.Telemetry;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Core.Ai.Gemini;

/// <summary>
/// Gemini's REST generateContent with structured JSON output, over a plain HttpClient (the Google SDKs do not restore
/// here). The one client of the application: a typed client registered once (<see cref="GeminiServices"/>), reading
/// its options at every call, so a changed model, base URL or timeout applies to the next call. It never chooses a
/// key; the caller (the call guard) passes one. The key travels only in the x-goog-api-key header: never in the URL,
/// a log line or an exception message.
/// </summary>
public sealed partial class GeminiClient(HttpClient http, IOptionsMonitor<GeminiOptions> options, ILogger<GeminiClient> logger, TimeProvider time)
{
    private const string ApiKeyHeader = "x-goog-api-key";

    /// <param name="request">What to send.</param>
    /// <param name="apiKey">The key this call is made with.</param>
    /// <param name="limits">The most the answer may produce, thinking included.</param>
    /// <param name="cancellationToken">Cancels the call; a cancellation is rethrown as is, never reported as a timeout.</param>
    /// <exception cref="GeminiException">Any failure of the call, normalized; a 2xx with unusable content says so (<see cref="GeminiException.Answered"/>).</exception>
    public async Task<GeminiResponse> GenerateJsonAsync(GeminiRequest request, string apiKey, GeminiOutputLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        if (string.IsNullOrWhiteSpace(apiKey))
            throw new GeminiException(GeminiErrorKind.MissingKey);
        // HttpClient's own header validation would put the offending value, the key, into its exception message.
        if (!apiKey.All(c => c is > ' ' and < '\u007f'))
            throw new GeminiException(GeminiErrorKind.InvalidKey);

        var settings = options.CurrentValue;
        using var message = new HttpRequestMessage(HttpMethod.Post, Endpoint(settings)) { Content = JsonContent.Create(Body(request, limits)) };
        message.Headers.TryAddWithoutValidation(ApiKeyHeader, apiKey);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var status = (int)response.StatusCode;
            var result = response.IsSuccessStatusCode
                ? GeminiResponseParser.Parse(body, status)
                : throw GeminiErrors.FromResponse(status, body, response.Headers.RetryAfter, time.GetUtcNow());

            var elapsedMs = ElapsedMs(started);
            LogAnswered(logger, settings.Model, elapsedMs, result.Usage?.PromptTokens, result.Usage?.CandidatesTokens, result.Usage?.ThoughtsTokens);
            AppTelemetry.TagAiCall(settings.Model, result.Usage?.PromptTokens ?? 0, (result.Usage?.CandidatesTokens ?? 0) + (result.Usage?.ThoughtsTokens ?? 0));
            return result;
        }
        catch (GeminiException e)
        {
            Log(e, settings.Model, started);
            throw;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Log(new GeminiException(GeminiErrorKind.Timeout, innerException: e), settings.Model, started);
        }
        catch (HttpRequestException e)
        {
            throw Log(new GeminiException(GeminiErrorKind.Unavailable, innerException: e), settings.Model, started);
        }
    }

    private static Uri Endpoint(GeminiOptions settings)
    {
        var model = settings.Model.StartsWith("models/", StringComparison.Ordinal) ? settings.Model["models/".Length..] : settings.Model;
        return new Uri($"{settings.BaseUrl.TrimEnd('/')}/v1beta/models/{Uri.EscapeDataString(model)}:generateContent");
    }

    private static JsonObject Body(GeminiRequest request, GeminiOutputLimits limits) => new()
    {
        ["systemInstruction"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = request.SystemInstruction }) },
        ["contents"] = new JsonArray(new JsonObject
        {
            ["role"] = "user",
            ["parts"] = UserParts(request),
        }),
        ["generationConfig"] = new JsonObject
        {
            ["responseMimeType"] = "application/json",
            ["responseSchema"] = request.ResponseSchema.DeepClone(),
            ["temperature"] = 0,
            ["maxOutputTokens"] = limits.MaxOutputTokens,
            ["thinkingConfig"] = new JsonObject { ["thinkingBudget"] = limits.ThinkingBudget },
        },
    };

    private static JsonArray UserParts(GeminiRequest request)
    {
        var parts = new JsonArray(new JsonObject { ["text"] = request.UserText });
        if (request.Audio is { } audio)
        {
            parts.Add(new JsonObject
            {
                ["inlineData"] = new JsonObject { ["mimeType"] = audio.MimeType, ["data"] = Convert.ToBase64String(audio.Data.Span) },
            });
        }
        return parts;
    }

    private GeminiException Log(GeminiException error, string model, long started)
    {
        var elapsedMs = ElapsedMs(started);
        LogFailed(logger, model, elapsedMs, error.Kind, error.HttpStatus, error.ApiStatus, error.RetryAfter);
        return error;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gemini {Model} answered in {ElapsedMs} ms: {PromptTokens} prompt, {CandidatesTokens} output, {ThoughtsTokens} thinking tokens")]
    private static partial void LogAnswered(ILogger logger, string model, long elapsedMs, int? promptTokens, int? candidatesTokens, int? thoughtsTokens);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gemini {Model} call failed after {ElapsedMs} ms: {Kind} (HTTP {HttpStatus}, {ApiStatus}, retry after {RetryAfter})")]
    private static partial void LogFailed(ILogger logger, string model, long elapsedMs, GeminiErrorKind kind, int? httpStatus, string? apiStatus, TimeSpan? retryAfter);

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
