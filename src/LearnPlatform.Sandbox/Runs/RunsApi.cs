using System.Globalization;
using FluentValidation;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Isolation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LearnPlatform.Sandbox.Runs;

internal static class RunsApi
{
    /// <summary>The body size limit is Kestrel's (Sandbox__MaxRequestBodyBytes), set for the whole host.</summary>
    public static void MapRuns(this IEndpointRouteBuilder app) => app.MapPost("/v1/runs", RunAsync);

    private static async Task<Results<Ok<RunResult>, ValidationProblem, ProblemHttpResult>> RunAsync(
        RunRequest request, RunRequestValidator validator, RunSlots slots, CodeRunner runner, SandboxOptions options, HttpContext context, ILoggerFactory logs)
    {
        var validation = await validator.ValidateAsync(request, context.RequestAborted);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors
                .GroupBy(e => e.PropertyName)
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));
        }
        using var slot = await slots.AcquireAsync(context.RequestAborted);
        if (!slot.IsAcquired)
        {
            context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable",
                detail: "Every run slot is busy and the queue is full; retry after the Retry-After seconds.");
        }
        try
        {
            return TypedResults.Ok(await runner.RunAsync(request, context.RequestAborted));
        }
        catch (RuntimeUnavailableException e)
        {
            SandboxLog.RunFailedToStart(logs.CreateLogger(typeof(RunsApi)), e.Message);
            context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable",
                detail: $"The sandbox cannot run code now: {e.Message}");
        }
    }
}
