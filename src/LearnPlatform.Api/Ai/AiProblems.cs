using System.Globalization;
using LearnPlatform.Api.Http;
using LearnPlatform.Core.Ai;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LearnPlatform.Api.Ai;

/// <summary>The problem+json answers of the AI routes. None carries the key, the prompt or the model's words.</summary>
public static class AiProblems
{
    public const string InvalidKey = "Invalid API key";
    public const string NotConfigured = "AI is not configured";
    public const string RateLimited = "Rate limit reached, please wait";
    public const string Unavailable = "Service temporarily unavailable";
    public const string Unusable = "The AI returned an unusable answer";
    public const string Declined = "The AI service declined to process this content";
    private const string AiKeyHeader = "X-API-Key";

    /// <summary>The caller's X-API-Key cannot be a key, or Gemini rejected it: a 400 naming the header, like any bad input.</summary>
    public static ProblemHttpResult BadKey() => Problems.Invalid(AiKeyHeader, InvalidKey, detail: InvalidKey);

    public static ProblemHttpResult NotConfiguredProblem() => TypedResults.Problem(statusCode: 503, title: "Service Unavailable", detail: NotConfigured);

    public static ProblemHttpResult UnavailableProblem(HttpResponse response, TimeSpan? retryAfter)
    {
        SetRetryAfter(response, retryAfter ?? TimeSpan.FromSeconds(30));
        return TypedResults.Problem(statusCode: 503, title: "Service Unavailable", detail: Unavailable);
    }

    public static ProblemHttpResult UpstreamRateLimited(HttpResponse response, TimeSpan? retryAfter)
    {
        SetRetryAfter(response, retryAfter ?? TimeSpan.FromSeconds(30));
        return TypedResults.Problem(statusCode: 429, title: "Too Many Requests", detail: RateLimited);
    }

    public static ProblemHttpResult BadGateway(string detail) => TypedResults.Problem(statusCode: 502, title: "Bad Gateway", detail: detail);

    /// <summary>A call cap is reached; <c>cap</c> names the counter, <c>limit</c> its value.</summary>
    public static ProblemHttpResult CapReached(HttpResponse response, string counter, int limit, string scope, TimeSpan resetsIn)
    {
        SetRetryAfter(response, resetsIn);
        return TypedResults.Problem(
            statusCode: 429,
            title: "Too Many Requests",
            detail: $"The AI cap for {counter} ({limit} {scope}) is reached.",
            extensions: new Dictionary<string, object?> { ["cap"] = counter, ["limit"] = limit });
    }

    /// <summary>A spend cap (<see cref="AiSpendCaps"/>) is reached for this month; <c>limit</c> is its value in USD.</summary>
    public static ProblemHttpResult SpendCapReached(HttpResponse response, string cap, decimal capUsd, TimeSpan resetsIn)
    {
        SetRetryAfter(response, resetsIn);
        return TypedResults.Problem(
            statusCode: 429,
            title: "Too Many Requests",
            detail: cap == AiSpendCaps.Guest
                ? "This month's AI budget for guests is used up; AI is available to guests again next month, or now with your own key (X-API-Key)."
                : "This month's AI spend cap on the platform key is reached; AI is available again next month, or now with your own key (X-API-Key).",
            extensions: new Dictionary<string, object?> { ["cap"] = cap, ["limit"] = capUsd });
    }

    private static void SetRetryAfter(HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public static string ScopeName(AiCallKind kind) => kind == AiCallKind.Generation ? "per author per day" : "per session";
}
