using LearnPlatform.Api.Http;
using LearnPlatform.Api.Privacy;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LearnPlatform.Api.Telemetry;

/// <summary>
/// The socket's handshake, after the origin check at the edge: a WebSocket request (400), a valid ticket for this
/// session (401), a session still in progress (409); then the connection takes the session's next generation (closing
/// any older socket, on any replica) and the socket runs until it closes.
/// </summary>
public sealed class TelemetryHandshake(
    NpgsqlDataSource dataSource, PaperVersionCache papers, EventIngest ingest, LiveSockets live, IOptions<TelemetrySocketOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    private const string TicketChallenge = "Ticket realm=\"learnplatform-telemetry\"";

    public async Task<IResult> ConnectAsync(HttpContext http, Guid sessionId, string? ticket, LearnPlatformDbContext db)
    {
        var ct = http.RequestAborted;
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return Problems.Invalid("upgrade", "This address is a WebSocket: open it with a WebSocket client (Upgrade: websocket).");
        }
        var now = time.Now();
        if (await TelemetryTickets.RedeemAsync(dataSource, ticket, sessionId, now, ct) is not { } tenantId)
        {
            http.Response.Headers.WWWAuthenticate = TicketChallenge;
            return TypedResults.Problem(statusCode: 401, title: "Unauthorized",
                detail: "A valid ticket is required: POST /api/v1/sessions/{id}/telemetry-ticket, then connect within 30 seconds. Each ticket opens one connection.");
        }

        db.Tenant.TenantId = tenantId;
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == sessionId, ct);
        if (session is null || await papers.PaperOfAsync(db, session, ct) is not { } paper)
        {
            return Problems.NotFound("The session");
        }
        if (session.Status != SessionStatus.InProgress || session.Deadline <= now)
        {
            return Problems.Conflict("The session is submitted or past its deadline; there is nothing left to report.");
        }
        var consented = session.CandidateUid is { } uid && await db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM consents WHERE tenant_id = {tenantId} AND uid = {uid} AND flag = {ConsentFlags.BiometricMetrics} AND granted) AS "Value"
            """).SingleAsync(ct);
        var generation = await TakeOverAsync(db, session, now, ct);

        var liveSession = new LiveSession(tenantId, sessionId, TelemetryEvent.DayOf(session.StartedAt), session.Deadline,
            paper.Questions.Select(q => q.Id).ToHashSet(StringComparer.Ordinal), consented);
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.FromSeconds(15),
            KeepAliveTimeout = TimeSpan.FromSeconds(45),
        });
        using var telemetry = new TelemetrySocket(socket, liveSession, generation, ingest, dataSource, options.Value, time, loggers.CreateLogger<TelemetrySocket>());
        await telemetry.RunAsync(live, ct);
        return TypedResults.Empty;
    }

    /// <summary>The session's next connection generation; the notification tells every replica at commit.</summary>
    private static async Task<long> TakeOverAsync(LearnPlatformDbContext db, ExamSession session, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Not composable (an INSERT), so read as a list rather than with SingleAsync.
        var generation = (await db.Database.SqlQuery<long>($"""
            INSERT INTO telemetry_connections (session_id, tenant_id, generation, connected_at) VALUES ({session.Id}, {session.TenantId}, 1, {now})
            ON CONFLICT (session_id) DO UPDATE SET generation = telemetry_connections.generation + 1, connected_at = EXCLUDED.connected_at
            RETURNING generation AS "Value"
            """).ToListAsync(ct)).Single();
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({LiveSockets.Channel}, {LiveSockets.TakeoverPayload(session.Id, generation)})", ct);
        await transaction.CommitAsync(ct);
        return generation;
    }
}
