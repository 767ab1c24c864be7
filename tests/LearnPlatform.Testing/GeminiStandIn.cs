using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using LearnPlatform.Core.Grading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LearnPlatform.Testing;

/// <summary>
/// A real HTTP server on 127.0.0.1 that speaks Gemini's generateContent REST API. It checks each request's shape the
/// way the real service would need it, records what it saw, and answers with the scripted replies in order.
/// The unit tests use it for the grader, the integration tests for the AI routes and AI grading.
/// </summary>
public sealed partial class GeminiStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Reply> _script = new();
    private readonly ConcurrentQueue<CapturedRequest> _requests = new();
    private readonly ConcurrentQueue<string> _violations = new();

    private GeminiStandIn(WebApplication app) => _app = app;

    public Uri BaseUrl => new(_app.Urls.Single());

    public IReadOnlyList<CapturedRequest> Requests => _requests.ToArray();

    /// <summary>What was wrong with the requests received; a correct client leaves this empty.</summary>
    public IReadOnlyList<string> Violations => _violations.ToArray();

    public static async Task<GeminiStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var standIn = new GeminiStandIn(builder.Build());
        standIn._app.Run(standIn.HandleAsync);
        await standIn._app.StartAsync();
        return standIn;
    }

    public GeminiStandIn Script(params Reply[] replies)
    {
        foreach (var reply in replies)
            _script.Enqueue(reply);
        return this;
    }

    /// <summary>Forgets the script, the requests and the violations, for a stand-in shared by several tests.</summary>
    public void Reset()
    {
        _script.Clear();
        _requests.Clear();
        _violations.Clear();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new CapturedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers["x-goog-api-key"].ToString(),
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body);
        _requests.Enqueue(request);

        var problems = Check(request);
        foreach (var problem in problems)
            _violations.Enqueue(problem);
        if (problems.Count > 0)
        {
            await GeminiReplies.Error(400, "INVALID_ARGUMENT", "stand-in: " + string.Join("; ", problems))(context);
            return;
        }

        if (_script.TryDequeue(out var reply))
            await reply(context);
        else
            await GeminiReplies.Error(500, "INTERNAL", "stand-in: no reply scripted")(context);
    }

    private static List<string> Check(CapturedRequest request)
    {
        var problems = new List<string>();
        if (request.Method != "POST")
            problems.Add($"method {request.Method}");
        if (!GenerateContentPath().IsMatch(request.Path))
            problems.Add($"path {request.Path}");
        if (string.IsNullOrEmpty(request.ApiKey))
            problems.Add("no x-goog-api-key header");
        if (request.Query.Contains("key=", StringComparison.OrdinalIgnoreCase))
            problems.Add("key in the query string");
        if (request.Headers.ContainsKey("Authorization"))
            problems.Add("an Authorization header");

        JsonElement json;
        try
        {
            json = JsonDocument.Parse(request.Body).RootElement;
        }
        catch (JsonException)
        {
            problems.Add("body is not JSON");
            return problems;
        }
        try
        {
            if (request.InlineAudio is { } audio && (!audio.MimeType.StartsWith("audio/", StringComparison.Ordinal) || audio.Data.Length == 0))
                problems.Add("inlineData is not audio");
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException)
        {
            problems.Add("inlineData needs mimeType and base64 data");
        }
        var config = json.TryGetProperty("generationConfig", out var c) ? c : default;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("responseMimeType", out var mime) || mime.GetString() != "application/json")
            problems.Add("generationConfig.responseMimeType is not application/json");
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("responseSchema", out var schema) || schema.ValueKind != JsonValueKind.Object)
            problems.Add("no generationConfig.responseSchema");
        if (request.SystemInstruction is null)
            problems.Add("no systemInstruction text");
        if (request.UserText is not { } text)
        {
            problems.Add("no user text in contents");
        }
        else
        {
            // A prompt that tells the model an answer is delimited must delimit exactly one; any other has none.
            var open = Occurrences(text, EssayPrompt.AnswerOpen);
            var close = Occurrences(text, EssayPrompt.AnswerClose);
            var expected = request.SystemInstruction?.Contains(EssayPrompt.AnswerOpen, StringComparison.Ordinal) == true ? 1 : 0;
            if (open != expected || close != expected || (expected == 1 && request.AnswerBlock is null))
                problems.Add($"the answer is not in exactly {expected} delimited block(s) ({open} open, {close} close)");
            else if (expected == 1 && request.DecodedAnswer is null)
                problems.Add("the delimited answer is not a JSON string");
        }
        return problems;
    }

    private static int Occurrences(string text, string value) => Regex.Count(text, Regex.Escape(value));

    [GeneratedRegex("^/v1beta/models/[A-Za-z0-9.\\-]+:generateContent$")]
    private static partial Regex GenerateContentPath();
}

public delegate Task Reply(HttpContext context);

public sealed record CapturedRequest(string Method, string Path, string Query, string ApiKey, IReadOnlyDictionary<string, string> Headers, string Body)
{
    private JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Url => Path + Query;

    public string? SystemInstruction => Text(Json, "systemInstruction");

    public string? UserText => Json.TryGetProperty("contents", out var contents) && contents.ValueKind == JsonValueKind.Array && contents.GetArrayLength() > 0
        ? Text(contents[0], null)
        : null;

    public JsonElement GenerationConfig => Json.GetProperty("generationConfig");

    /// <summary>The audio sent inline in the user turn (its media type and decoded bytes), or null when there is none.</summary>
    public (string MimeType, byte[] Data)? InlineAudio
    {
        get
        {
            if (!Json.TryGetProperty("contents", out var contents) || contents.ValueKind != JsonValueKind.Array || contents.GetArrayLength() == 0
                || !contents[0].TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array)
                return null;
            foreach (var part in parts.EnumerateArray())
            {
                if (part.TryGetProperty("inlineData", out var inline) && inline.ValueKind == JsonValueKind.Object)
                    return (inline.GetProperty("mimeType").GetString()!, Convert.FromBase64String(inline.GetProperty("data").GetString()!));
            }
            return null;
        }
    }

    /// <summary>The raw text between the delimiters (still JSON-encoded).</summary>
    public string? AnswerBlock
    {
        get
        {
            var text = UserText ?? "";
            var start = text.IndexOf(EssayPrompt.AnswerOpen, StringComparison.Ordinal);
            var end = text.IndexOf(EssayPrompt.AnswerClose, StringComparison.Ordinal);
            return start >= 0 && end > start ? text[(start + EssayPrompt.AnswerOpen.Length)..end].Trim('\n') : null;
        }
    }

    public string? DecodedAnswer
    {
        get
        {
            try
            {
                return AnswerBlock is { } block && JsonDocument.Parse(block).RootElement is { ValueKind: JsonValueKind.String } answer ? answer.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    private static string? Text(JsonElement parent, string? property)
    {
        var content = property is null ? parent : parent.TryGetProperty(property, out var p) ? p : default;
        if (content.ValueKind != JsonValueKind.Object || !content.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array || parts.GetArrayLength() == 0)
            return null;
        return parts[0].TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
    }
}

/// <summary>Replies shaped like the real service's, successes and failures.</summary>
public static class GeminiReplies
{
    public static Reply Grade(object output, int promptTokens = 120, int outputTokens = 40) => Text(JsonSerializer.Serialize(output), promptTokens, outputTokens);

    /// <summary>A 200 whose model text is whatever is given, JSON or not.</summary>
    public static Reply Text(string modelText, int promptTokens = 120, int outputTokens = 40) => Json(200, new
    {
        candidates = new[]
        {
            new { content = new { parts = new[] { new { text = modelText } }, role = "model" }, finishReason = "STOP", index = 0 },
        },
        usageMetadata = new { promptTokenCount = promptTokens, candidatesTokenCount = outputTokens, totalTokenCount = promptTokens + outputTokens },
        modelVersion = "gemini-2.5-flash",
    });

    /// <summary>A transcription's answer, with its audio tokens in usageMetadata as Gemini reports them.</summary>
    public static Reply Transcribed(string transcript, string language = "en", double confidence = 0.95, int audioTokens = 160) => Json(200, new
    {
        candidates = new[]
        {
            new { content = new { parts = new[] { new { text = JsonSerializer.Serialize(new { transcript, language, confidence }) } }, role = "model" }, finishReason = "STOP", index = 0 },
        },
        usageMetadata = new
        {
            promptTokenCount = audioTokens + 200,
            candidatesTokenCount = 40,
            totalTokenCount = audioTokens + 240,
            promptTokensDetails = new object[] { new { modality = "TEXT", tokenCount = 200 }, new { modality = "AUDIO", tokenCount = audioTokens } },
        },
        modelVersion = "gemini-2.5-flash",
    });

    /// <summary>A 200 with a usable answer but no usageMetadata: the client cannot know what it cost.</summary>
    public static Reply WithoutUsage(object output) => Json(200, new
    {
        candidates = new[]
        {
            new { content = new { parts = new[] { new { text = JsonSerializer.Serialize(output) } }, role = "model" }, finishReason = "STOP", index = 0 },
        },
    });

    public static Reply SafetyBlock() => Json(200, new
    {
        candidates = new[] { new { finishReason = "SAFETY", index = 0, safetyRatings = new[] { new { category = "HARM_CATEGORY_HARASSMENT", probability = "HIGH" } } } },
        usageMetadata = new { promptTokenCount = 100, totalTokenCount = 100 },
    });

    public static Reply PromptBlocked() => Json(200, new { promptFeedback = new { blockReason = "PROHIBITED_CONTENT" }, usageMetadata = new { promptTokenCount = 100 } });

    public static Reply RateLimited(string retryDelay) => Error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota. Please retry in 6.5s.",
        new Dictionary<string, object> { ["@type"] = "type.googleapis.com/google.rpc.QuotaFailure", ["violations"] = Array.Empty<object>() },
        new Dictionary<string, object> { ["@type"] = "type.googleapis.com/google.rpc.RetryInfo", ["retryDelay"] = retryDelay });

    /// <summary>As Google answers a bad key, including the debug detail that quotes the key.</summary>
    public static Reply InvalidKey(string key) => Error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
        new Dictionary<string, object>
        {
            ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo", ["reason"] = "API_KEY_INVALID", ["domain"] = "googleapis.com",
            ["metadata"] = new { service = "generativelanguage.googleapis.com" },
        },
        new Dictionary<string, object> { ["@type"] = "type.googleapis.com/google.rpc.DebugInfo", ["detail"] = "Invalid API key: " + key });

    public static Reply Unavailable() => Error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");

    public static Reply Error(int code, string status, string message, params object[] details) =>
        Json(code, new { error = new { code, message, status, details } });

    public static Reply WithHeader(string name, string value, Reply reply) => context =>
    {
        context.Response.Headers[name] = value;
        return reply(context);
    };

    public static Reply Slow(TimeSpan delay, Reply reply) => async context =>
    {
        try
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await reply(context);
    };

    private static Reply Json(int status, object body) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    };
}
