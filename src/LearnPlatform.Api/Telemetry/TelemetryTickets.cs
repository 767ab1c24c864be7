using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.Api.Telemetry;

public sealed record TicketResponse(string Ticket, DateTimeOffset ExpiresAt);

/// <summary>
/// What a browser presents to open the telemetry socket, since it cannot set headers on a WebSocket and a token in a
/// URL ends up in logs: 256 random bits, shown once, stored as SHA-256, valid 30 seconds for one session, and deleted
/// by the handshake that uses it (single use).
/// </summary>
public static class TelemetryTickets
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private const string Prefix = "lpt_";
    private const int TicketBytes = 32;
    private static readonly int EncodedLength = Prefix.Length + Base64Url.GetEncodedLength(TicketBytes);

    public static async Task<TicketResponse> IssueAsync(LearnPlatformDbContext db, Guid tenantId, Guid sessionId, DateTimeOffset now, CancellationToken ct)
    {
        var ticket = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TicketBytes));
        var expiresAt = now + Lifetime;
        await db.TelemetryTickets.Where(t => t.SessionId == sessionId && t.ExpiresAt <= now).ExecuteDeleteAsync(ct);
        db.TelemetryTickets.Add(new TelemetryTicket { TicketHash = Hash(ticket), TenantId = tenantId, SessionId = sessionId, ExpiresAt = expiresAt });
        await db.SaveChangesAsync(ct);
        return new TicketResponse(ticket, expiresAt);
    }

    /// <summary>Uses the ticket up and returns its tenant, or null for a ticket that is unknown, used, expired or for another session.</summary>
    public static async Task<Guid?> RedeemAsync(NpgsqlDataSource dataSource, string? ticket, Guid sessionId, DateTimeOffset now, CancellationToken ct)
    {
        if (ticket is null || ticket.Length != EncodedLength || !ticket.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // The setting is local to the batch's implicit transaction: it never outlives the DELETE on the pooled connection.
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT set_config('app.telemetry_ticket_hash', @hash, true)") { Parameters = { new("hash", Convert.ToHexStringLower(Hash(ticket))) } },
                new NpgsqlBatchCommand("DELETE FROM telemetry_tickets WHERE ticket_hash = @hash RETURNING tenant_id, session_id, expires_at") { Parameters = { new("hash", Hash(ticket)) } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        var tenantId = reader.GetGuid(0);
        return reader.GetGuid(1) == sessionId && reader.GetFieldValue<DateTimeOffset>(2) > now ? tenantId : null;
    }

    private static byte[] Hash(string ticket) => SHA256.HashData(Encoding.ASCII.GetBytes(ticket));
}
