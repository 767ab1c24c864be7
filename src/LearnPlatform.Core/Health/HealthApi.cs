using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace LearnPlatform.Core.Health;

public static class HealthApi
{
    public static void MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("ok")));
        routes.MapGet("/readyz", ReadyAsync);
    }

    private static async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> ReadyAsync(
        DatabaseSchema schema, ILoggerFactory loggers, CancellationToken ct)
    {
        try
        {
            if (await schema.IsCurrentAsync(ct))
            {
                return TypedResults.Ok(new HealthStatus("ready"));
            }
            return TypedResults.Json(new HealthStatus("migrations pending"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            loggers.CreateLogger(nameof(HealthApi)).LogWarning("Readiness check failed: {Error}", e.GetType().Name);
            return TypedResults.Json(new HealthStatus("database unavailable"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}

public sealed record HealthStatus(string Status);
