using Microsoft.AspNetCore.Http.HttpResults;

namespace LearnPlatform.Sandbox.Health;

internal static class HealthApi
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("ok")));
        app.MapGet("/readyz", async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> (ReadinessProbe probe, CancellationToken cancellationToken) =>
            await probe.ProblemAsync(cancellationToken) is { } problem
                ? TypedResults.Json(new HealthStatus("not_ready", problem), statusCode: StatusCodes.Status503ServiceUnavailable)
                : TypedResults.Ok(new HealthStatus("ready")));
    }
}

internal sealed record HealthStatus(string Status, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);
