using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Telemetry;

/// <summary>Live exam telemetry: the ticket, the socket, the admin timeline and integrity summary, and the tenant's retention.</summary>
public static class TelemetryApi
{
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetrySocketOptions>()
            .Bind(configuration.GetSection("Telemetry"))
            .Validate(o => o.HeartbeatInterval >= TimeSpan.FromMilliseconds(100) && o.HeartbeatInterval <= TimeSpan.FromMinutes(5),
                "Telemetry:HeartbeatInterval must be between 100 ms and 5 minutes.")
            .Validate(o => o.MaxEventsPerSecond is >= 1 and <= 1_000_000, "Telemetry:MaxEventsPerSecond must be between 1 and 1000000.")
            .Validate(o => o.IngestQueueFrames is >= 1 and <= 1_000_000, "Telemetry:IngestQueueFrames must be between 1 and 1000000.")
            .Validate(o => o.IngestBatchRows is >= ClientFrames.MaxBatch and <= 100_000, "Telemetry:IngestBatchRows must be between 50 and 100000.")
            .Validate(o => o.IngestWriters is >= 1 and <= 16, "Telemetry:IngestWriters must be between 1 and 16.")
            .Validate(o => o.MaxUnackedFrames is >= 1 and <= 1000, "Telemetry:MaxUnackedFrames must be between 1 and 1000.")
            .ValidateOnStart();
        services.AddSingleton<EventIngest>();
        services.AddHostedService(sp => sp.GetRequiredService<EventIngest>());
        services.AddSingleton<LiveSockets>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveSockets>());
        services.AddSingleton<TelemetryHandshake>();
        services.AddSingleton<IValidator<TelemetrySettingsRequest>, TelemetrySettingsRequestValidator>();
        services.AddSingleton<IValidator<EventsQuery>, EventsQueryValidator>();
        return services;
    }

    public static void MapTelemetry(this ApiRoutes routes)
    {
        routes.Callers.MapPost("/sessions/{id:guid}/telemetry-ticket", IssueTicketAsync).ProducesProblem(StatusCodes.Status409Conflict);
        // The ticket is the credential: browsers cannot send headers with a WebSocket. OpenAPI cannot describe a
        // WebSocket, so the socket is left out of the document (docs/api.md describes it).
        routes.Anonymous.MapGet("/sessions/{id:guid}/telemetry", (Guid id, string? ticket, HttpContext http, LearnPlatformDbContext db, TelemetryHandshake handshake) =>
            handshake.ConnectAsync(http, id, ticket, db)).ExcludeFromDescription();
        routes.Authors.MapGet("/sessions/{id:guid}/events", TelemetryTimeline.ListEventsAsync);
        routes.Authors.MapGet("/sessions/{id:guid}/integrity", TelemetryTimeline.IntegrityAsync);
        routes.MapTelemetrySettings();
    }

    private static async Task<Results<Ok<TicketResponse>, ProblemHttpResult>> IssueTicketAsync(
        Guid id, Caller caller, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        var session = await db.Sessions.TakenBy(caller).Where(s => s.Id == id).Select(s => new { s.Status, s.Deadline }).SingleOrDefaultAsync(ct);
        if (session is null)
        {
            return Problems.NotFound("The session");
        }
        var now = time.Now();
        if (session.Status != SessionStatus.InProgress || session.Deadline <= now)
        {
            return Problems.Conflict("The session is submitted or past its deadline; there is nothing left to report.");
        }
        return TypedResults.Ok(await TelemetryTickets.IssueAsync(db, caller.TenantId, id, now, ct));
    }
}
