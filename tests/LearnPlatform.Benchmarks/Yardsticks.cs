using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LearnPlatform.Benchmarks;

/// <summary>
/// The yardstick servers, each run in its own process like the API: a bare Kestrel app answering a small JSON object
/// (what /me returns), and a bare Kestrel app answering one pooled Npgsql query per request (a session row by id).
/// </summary>
internal static class Yardsticks
{
    public const string BareJson = "bare-json";
    public const string BareQuery = "bare-query";

    /// <summary><c>--serve bare-json URL</c> or <c>--serve bare-query URL CONNECTION</c>: runs until killed.</summary>
    public static async Task<int> ServeAsync(string[] arguments)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(arguments[1]);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        if (arguments[0] == BareQuery)
        {
            // Pooled like the API's own data source (the superuser connection string of the cluster turns pooling off).
            builder.Services.AddSingleton(NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(arguments[2]) { Pooling = true }.ConnectionString));
        }
        var app = builder.Build();
        app.MapGet("/healthz", () => TypedResults.Ok());
        if (arguments[0] == BareJson)
        {
            var tenant = Guid.CreateVersion7();
            app.MapGet("/me", () => TypedResults.Ok(new BareMe("bench-candidate-1", tenant, "candidate", "user")));
        }
        else
        {
            app.MapGet("/sessions/{id:guid}", async (Guid id, NpgsqlDataSource dataSource, CancellationToken ct) =>
            {
                await using var command = dataSource.CreateCommand("SELECT id, paper_id, status, started_at, deadline FROM exam_sessions WHERE id = $1");
                command.Parameters.Add(new NpgsqlParameter { Value = id });
                await using var reader = await command.ExecuteReaderAsync(ct);
                return await reader.ReadAsync(ct)
                    ? Results.Ok(new BareSession(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4)))
                    : Results.NotFound();
            });
        }
        await app.RunAsync();
        return 0;
    }

    private sealed record BareMe(string Uid, Guid TenantId, string Role, string Kind);

    private sealed record BareSession(Guid Id, Guid PaperId, string Status, DateTimeOffset StartedAt, DateTimeOffset Deadline);
}
