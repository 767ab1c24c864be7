using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Audit;

public sealed record AuditEventView(
    Guid Id,
    DateTimeOffset OccurredAt,
    string Actor,
    string Action,
    string Resource,
    string Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ClientIp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? Details);

public sealed record AuditEventPage(IReadOnlyList<AuditEventView> Items, string? NextCursor);

/// <summary>The tenant's audit trail for its admins: filtered, newest first, keyset-paged.</summary>
public static class AuditEventsApi
{
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddSingleton(ClientIpAnonymizer.FromConfiguration(configuration))
            .AddSingleton<SecurityAudit>()
            .AddSingleton<IValidator<AuditEventsQuery>, AuditEventsQueryValidator>();

    public static void MapAuditEvents(this ApiRoutes routes) =>
        routes.Admins.MapGet("/audit-events", ListAsync);

    private static async Task<Ok<AuditEventPage>> ListAsync(
        [AsParameters] AuditEventsQuery query, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var filter = AuditEventsQueryParser.Parse(query, out _);

        var events = db.AuditEvents.Where(e => e.TenantId == caller.TenantId);
        if (filter.After is var (at, id))
        {
            // A row-value comparison, so the (tenant_id, occurred_at DESC, id DESC) index serves every page.
            events = events.Where(e => EF.Functions.LessThan(ValueTuple.Create(e.OccurredAt, e.Id), ValueTuple.Create(at, id)));
        }
        if (filter.Action is { } action)
        {
            events = events.Where(e => e.Action == action);
        }
        if (filter.Actor is { } actor)
        {
            events = events.Where(e => e.Actor == actor);
        }
        if (filter.Resource is { } resource)
        {
            events = events.Where(e => e.Resource == resource);
        }
        if (filter.Outcome is { } outcome)
        {
            events = events.Where(e => e.Outcome == outcome);
        }
        if (filter.From is { } from)
        {
            events = events.Where(e => e.OccurredAt >= from);
        }
        if (filter.To is { } to)
        {
            events = events.Where(e => e.OccurredAt < to);
        }

        var rows = await events.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).Take(filter.Limit + 1).ToListAsync(ct);
        var page = rows.Take(filter.Limit).Select(ToView).ToList();
        var next = rows.Count > filter.Limit ? AuditEventsQueryParser.CursorAfter(page[^1].OccurredAt, page[^1].Id) : null;
        return TypedResults.Ok(new AuditEventPage(page, next));
    }

    private static AuditEventView ToView(AuditEvent e) =>
        new(e.Id, e.OccurredAt, e.Actor, e.Action, e.Resource, e.Outcome, e.ClientIp,
            e.Details is null ? null : JsonSerializer.Deserialize<JsonElement>(e.Details));
}
