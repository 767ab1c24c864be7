using Microsoft.AspNetCore.Http.HttpResults;

namespace LearnPlatform.Api.Http;

/// <summary>The problem+json answers the API gives, with the same titles everywhere.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what = "The resource") =>
        TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"{what} does not exist.");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: 409, title: "Conflict", detail: detail);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: detail);

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: detail);

    public static ProblemHttpResult PreconditionFailed(string detail) =>
        TypedResults.Problem(statusCode: 412, title: "Precondition Failed", detail: detail);
}
