using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LearnPlatform.Api.Http;

/// <summary>The problem+json answers the API gives, with the same titles everywhere.</summary>
public static class Problems
{
    /// <summary>
    /// The one way to answer 400: what is wrong, per field, as the contract's <c>errors</c> object. The validation
    /// filter answers with it, and so do handlers for checks that need the database (an answer against its question).
    /// </summary>
    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Detail = detail });

    public static ProblemHttpResult Invalid(string field, string message, string? detail = null) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] }, detail);

    public static ProblemHttpResult NotFound(string what = "The resource") =>
        TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"{what} does not exist.");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: 409, title: "Conflict", detail: detail);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: detail);

    /// <summary>429 with Retry-After, for limits a handler checks itself (the rate-limit middleware answers its own the same way).</summary>
    public static ProblemHttpResult TooManyRequests(HttpResponse response, long retryAfterSeconds, string detail)
    {
        response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: 429, title: "Too Many Requests", detail: detail);
    }

    public static ProblemHttpResult PreconditionFailed(string detail) =>
        TypedResults.Problem(statusCode: 412, title: "Precondition Failed", detail: detail);
}
