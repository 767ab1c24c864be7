using System.Net.Http.Headers;
using LearnPlatform.Core.Ai.Gemini;

namespace LearnPlatform.UnitTests.Grading;

public sealed class GeminiResponseTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("53s", 53_000.0)]
    [InlineData("34.4s", 34_400.0)]
    [InlineData("0.5s", 500.0)]
    [InlineData("45.837906927s", 45_837.906927)]
    [InlineData("53", null)]
    [InlineData("1m", null)]
    [InlineData("s", null)]
    [InlineData(null, null)]
    public void RetryDelayIsReadAsAProtobufDuration(string? value, double? expectedMs) =>
        Assert.Equal(expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, GeminiErrors.ParseDuration(value));

    [Fact]
    public void RetryAfterAsADateIsTheTimeLeftUntilThen()
    {
        var error = GeminiErrors.FromResponse(429, "{}", new RetryConditionHeaderValue(Now.AddSeconds(30)), Now);

        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
    }

    [Fact]
    public void RetryInfoWinsOverTheRetryAfterHeader()
    {
        const string body = """{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}""";

        Assert.Equal(TimeSpan.FromSeconds(7), GeminiErrors.FromResponse(429, body, new RetryConditionHeaderValue(TimeSpan.FromSeconds(99)), Now).RetryAfter);
    }

    [Theory]
    [InlineData(400, """{"error":{"code":400,"status":"INVALID_ARGUMENT","message":"API key not valid. Please pass a valid API key."}}""", GeminiErrorKind.InvalidKey)]
    [InlineData(400, """[{"error":{"code":400,"status":"INVALID_ARGUMENT","message":"x","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}]""", GeminiErrorKind.InvalidKey)]
    [InlineData(400, """{"error":{"code":400,"status":"INVALID_ARGUMENT","message":"Invalid JSON payload received."}}""", GeminiErrorKind.Rejected)]
    [InlineData(400, "<html>Bad Request</html>", GeminiErrorKind.Rejected)]
    [InlineData(401, "", GeminiErrorKind.InvalidKey)]
    [InlineData(403, """{"error":{"code":403,"status":"PERMISSION_DENIED"}}""", GeminiErrorKind.InvalidKey)]
    [InlineData(404, """{"error":{"code":404,"status":"NOT_FOUND"}}""", GeminiErrorKind.Rejected)]
    [InlineData(429, "", GeminiErrorKind.RateLimited)]
    [InlineData(400, """{"error":{"code":400,"status":"RESOURCE_EXHAUSTED"}}""", GeminiErrorKind.RateLimited)]
    [InlineData(500, """{"error":{"code":500,"status":"INTERNAL"}}""", GeminiErrorKind.Unavailable)]
    [InlineData(502, "<html>Bad Gateway</html>", GeminiErrorKind.Unavailable)]
    [InlineData(504, """{"error":{"code":504,"status":"DEADLINE_EXCEEDED"}}""", GeminiErrorKind.Unavailable)]
    public void ErrorResponsesAreNormalized(int status, string body, GeminiErrorKind expected) =>
        Assert.Equal(expected, GeminiErrors.FromResponse(status, body, null, Now).Kind);

    [Fact]
    public void ErrorMessagesKeepOnlyAPlainStatusCodeFromTheBody()
    {
        const string body = """{"error":{"code":400,"status":"INVALID_ARGUMENT key=AIzaSECRET","message":"API key not valid: AIzaSECRET"}}""";

        var error = GeminiErrors.FromResponse(400, body, null, Now);

        Assert.Null(error.ApiStatus);
        Assert.DoesNotContain("AIzaSECRET", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 400", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheAnswerTextIsParsedAndThoughtsAreLeftOut()
    {
        const string body = """
            {"candidates":[{"content":{"role":"model","parts":[{"text":"thinking about it","thought":true},{"text":"{\"a\":"},{"text":"1}"}]},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"thoughtsTokenCount":7,"totalTokenCount":22}}
            """;

        var response = GeminiResponseParser.Parse(body);

        Assert.Equal(1, response.Output.GetProperty("a").GetInt32());
        Assert.Equal(new GeminiUsage(10, 5, 7, 22), response.Usage);
        Assert.Equal("STOP", response.FinishReason);
    }

    [Theory]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"not json"}]},"finishReason":"STOP"}]}""", GeminiErrorKind.InvalidOutput)]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"{\"a\": 1"}]},"finishReason":"MAX_TOKENS"}]}""", GeminiErrorKind.InvalidOutput)]
    [InlineData("""{"candidates":[{"content":{"parts":[]},"finishReason":"STOP"}]}""", GeminiErrorKind.InvalidOutput)]
    [InlineData("not json at all", GeminiErrorKind.InvalidOutput)]
    [InlineData("""{"candidates":[{"finishReason":"SAFETY"}]}""", GeminiErrorKind.Blocked)]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"{}"}]},"finishReason":"RECITATION"}]}""", GeminiErrorKind.Blocked)]
    [InlineData("""{"candidates":[]}""", GeminiErrorKind.Blocked)]
    [InlineData("""{"promptFeedback":{"blockReason":"SAFETY"}}""", GeminiErrorKind.Blocked)]
    public void UnusableSuccessfulResponsesAreNormalized(string body, GeminiErrorKind expected)
    {
        var error = Assert.Throws<GeminiException>(() => GeminiResponseParser.Parse(body));

        Assert.Equal((expected, true, (GeminiUsage?)null), (error.Kind, error.Answered, error.Usage));
    }

    [Theory]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"{\"a\": 1"}]},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":4096,"thoughtsTokenCount":0,"totalTokenCount":4106}}""", GeminiErrorKind.InvalidOutput)]
    [InlineData("""{"candidates":[{"finishReason":"SAFETY"}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":4096,"thoughtsTokenCount":0,"totalTokenCount":4106}}""", GeminiErrorKind.Blocked)]
    [InlineData("""{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":4096,"thoughtsTokenCount":0,"totalTokenCount":4106}}""", GeminiErrorKind.Blocked)]
    public void AnUnusableAnswerStillCarriesWhatItCostForItIsBilled(string body, GeminiErrorKind expected)
    {
        var error = Assert.Throws<GeminiException>(() => GeminiResponseParser.Parse(body));

        Assert.Equal((expected, true, new GeminiUsage(10, 4096, 0, 4106)), (error.Kind, error.Answered, error.Usage));
    }

    [Fact]
    public void AnAnswerWithoutUsageMetadataSaysSo()
    {
        var response = GeminiResponseParser.Parse("""{"candidates":[{"content":{"parts":[{"text":"{}"}]},"finishReason":"STOP"}]}""");

        Assert.Null(response.Usage);
    }

    [Fact]
    public void ErrorStatusesAreNotAnswersAndCarryNoUsage()
    {
        var error = GeminiErrors.FromResponse(503, """{"error":{"code":503,"status":"UNAVAILABLE"}}""", null, DateTimeOffset.UtcNow);

        Assert.Equal((false, (GeminiUsage?)null), (error.Answered, error.Usage));
    }

    [Theory]
    [InlineData(GeminiErrorKind.InvalidKey, "Invalid API key")]
    [InlineData(GeminiErrorKind.RateLimited, "Rate limit reached, please wait")]
    [InlineData(GeminiErrorKind.Unavailable, "Service temporarily unavailable")]
    public void EachKindHasAClientSafeMessage(GeminiErrorKind kind, string expected) => Assert.Equal(expected, new GeminiException(kind).ClientMessage);
}
