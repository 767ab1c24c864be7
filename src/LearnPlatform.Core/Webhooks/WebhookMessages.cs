using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LearnPlatform.Core.Data;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Core.Webhooks;

/// <summary>What a delivery posts: <c>{type, timestamp, data}</c>, the same bytes on every attempt.</summary>
public sealed record WebhookMessage(string Type, string Timestamp, WebhookSessionData Data)
{
    private static readonly JsonSerializerOptions Wire = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public byte[] ToBody() => JsonSerializer.SerializeToUtf8Bytes(this, Wire);
}

/// <param name="CandidateId">The candidate's uid; null for a guest session.</param>
/// <param name="Score">Absent until the session has a score (graded or needs_review).</param>
public sealed record WebhookSessionData(
    Guid SessionId,
    Guid PaperId,
    int PaperVersion,
    string? CandidateId,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] decimal? Score,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] decimal? MaxScore);

/// <param name="MessageId">The <c>webhook-id</c>: one per event, the same on every attempt and every endpoint.</param>
public sealed record WebhookDeliveryInput(Guid EndpointId, string MessageId, DateTimeOffset EnqueuedAt, WebhookMessage Message);

/// <summary>
/// Starts one delivery run per subscribed, enabled endpoint, in the transaction of the state change the event reports,
/// so a rolled-back change sends nothing and a committed one is delivered even if the process dies right after.
/// </summary>
public static class WebhookMessages
{
    public const string WorkflowType = "webhook-delivery";

    public static async Task EnqueueAsync(WorkflowClient workflows, LearnPlatformDbContext db, ExamSession session, string eventType, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(workflows);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(session);
        var endpoints = await db.WebhookEndpoints
            .Where(e => e.TenantId == session.TenantId && e.DisabledAt == null && e.Events.Contains(eventType))
            .OrderBy(e => e.Id)
            .Select(e => e.Id)
            .ToListAsync(ct);
        if (endpoints.Count == 0)
        {
            return;
        }
        var messageId = "msg_" + Guid.CreateVersion7(now).ToString("N");
        var message = new WebhookMessage(eventType, now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture), new WebhookSessionData(
            session.Id, session.PaperId, session.PaperVersion, session.CandidateUid, session.Status, session.Score, session.MaxScore));
        var (connection, transaction) = await TenantConnectionInterceptor.TransactionAsync(db, ct);
        foreach (var endpoint in endpoints)
        {
            await workflows.StartAsync(connection, transaction, WorkflowType, $"webhook:{endpoint}:{messageId}",
                new WebhookDeliveryInput(endpoint, messageId, now, message), session.TenantId, ct: ct);
        }
    }
}
