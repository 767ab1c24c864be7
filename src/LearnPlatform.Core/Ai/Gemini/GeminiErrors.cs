using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LearnPlatform.Core.Ai.Gemini;

/// <summary>Turns Gemini's error responses (<c>{"error": {code, status, message, details}}</c>) into a <see cref="GeminiException"/>.</summary>
public static partial class GeminiErrors
{
    public static GeminiException FromResponse(int httpStatus, string body, RetryConditionHeaderValue? retryAfterHeader, DateTimeOffset now)
    {
        var error = ReadError(body);
        var apiStatus = error.Status is { } status && ApiStatusShape().IsMatch(status) ? status : null;
        var retryAfter = error.RetryDelay ?? FromHeader(retryAfterHeader, now);

        var kind = httpStatus == 429 || apiStatus == "RESOURCE_EXHAUSTED" ? GeminiErrorKind.RateLimited
            : httpStatus is 401 or 403 || (httpStatus == 400 && error.KeyInvalid) ? GeminiErrorKind.InvalidKey
            : httpStatus >= 500 ? GeminiErrorKind.Unavailable
            : GeminiErrorKind.Rejected;
        return new GeminiException(kind, httpStatus, apiStatus, kind is GeminiErrorKind.RateLimited or GeminiErrorKind.Unavailable ? retryAfter : null);
    }

    /// <summary>A protobuf Duration as JSON: decimal seconds with an "s", such as "53s" or "34.4s".</summary>
    public static TimeSpan? ParseDuration(string? value)
    {
        if (value is null || !value.EndsWith('s'))
            return null;
        return decimal.TryParse(value[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds <= 86_400 * 366
            ? TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond))
            : null;
    }

    private static TimeSpan? FromHeader(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    private sealed record ErrorBody(string? Status, bool KeyInvalid, TimeSpan? RetryDelay);

    private static ErrorBody ReadError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
                root = root[0]; // some Google front ends wrap the error in a one-element list
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
                return new ErrorBody(null, false, null);

            var status = StringProperty(error, "status");
            var keyInvalid = StringProperty(error, "message")?.Contains("API key", StringComparison.OrdinalIgnoreCase) == true;
            TimeSpan? retryDelay = null;
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.Object))
                {
                    var type = StringProperty(detail, "@type") ?? "";
                    if (type.EndsWith("google.rpc.ErrorInfo", StringComparison.Ordinal) && StringProperty(detail, "reason") == "API_KEY_INVALID")
                        keyInvalid = true;
                    if (type.EndsWith("google.rpc.RetryInfo", StringComparison.Ordinal))
                        retryDelay = ParseDuration(StringProperty(detail, "retryDelay"));
                }
            }
            return new ErrorBody(status, keyInvalid, retryDelay);
        }
        catch (JsonException)
        {
            return new ErrorBody(null, false, null);
        }
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // Only a plain status code is copied into exception messages; anything else in the body stays out of them.
    [GeneratedRegex("^[A-Z_]{1,64}$")]
    private static partial Regex ApiStatusShape();
}
