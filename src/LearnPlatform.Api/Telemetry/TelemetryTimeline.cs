using System.Text.Json;
using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Telemetry;

public sealed record EventView(long Id, long? Seq, string Type, DateTimeOffset At, DateTimeOffset ReceivedAt, string? QuestionId, JsonElement? Data);

/// <summary>A page of the timeline; <see cref="NextAfter"/> is the <c>after</c> of the next page, absent on the last.</summary>
public sealed record EventPage(IReadOnlyList<EventView> Items, long? NextAfter);

public sealed record EventsQuery(Guid Id, long? After, int? Limit);

public sealed class EventsQueryValidator : AbstractValidator<EventsQuery>
{
    public EventsQueryValidator()
    {
        RuleFor(q => q.After).GreaterThanOrEqualTo(0).WithMessage("after is the id of the last event already read (0 or more).");
        RuleFor(q => q.Limit).InclusiveBetween(1, TelemetryTimeline.MaxLimit).WithMessage($"limit is between 1 and {TelemetryTimeline.MaxLimit}.");
    }
}

/// <summary>What authors and admins read about a session's telemetry: the events in order, and the integrity summary.</summary>
public static class TelemetryTimeline
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static async Task<Results<Ok<EventPage>, ProblemHttpResult>> ListEventsAsync(
        [AsParameters] EventsQuery query, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var (id, after, limit) = query;
        if (await StartedAtAsync(db, caller, id, ct) is not { } startedAt)
        {
            return Problems.NotFound("The session");
        }
        var day = TelemetryEvent.DayOf(startedAt);
        var take = limit ?? DefaultLimit;
        var rows = await db.TelemetryEvents
            .Where(e => e.SessionId == id && e.SessionDay == day && e.Id > (after ?? 0))
            .OrderBy(e => e.Id)
            .Take(take + 1)
            .ToListAsync(ct);
        var items = rows.Take(take)
            .Select(e => new EventView(e.Id, e.Seq, e.Type, e.ClientAt, e.ReceivedAt, e.QuestionId, e.Data is null ? null : JsonSerializer.Deserialize<JsonElement>(e.Data)))
            .ToList();
        return TypedResults.Ok(new EventPage(items, rows.Count > take ? items[^1].Id : null));
    }

    public static async Task<Results<Ok<IntegrityView>, ProblemHttpResult>> IntegrityAsync(
        Guid id, Caller caller, LearnPlatformDbContext db, PaperVersionCache papers, TimeProvider time, CancellationToken ct)
    {
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == id && s.TenantId == caller.TenantId, ct);
        if (session is null || await papers.PaperOfAsync(db, session, ct) is not { } paper)
        {
            return Problems.NotFound("The session");
        }
        var day = TelemetryEvent.DayOf(session.StartedAt);
        var events = await db.TelemetryEvents
            .Where(e => e.SessionId == id && e.SessionDay == day)
            .OrderBy(e => e.Id)
            .Select(e => new IntegrityEvent(e.Type, e.ClientAt, e.ReceivedAt, e.QuestionId))
            .ToListAsync(ct);
        var now = time.Now();
        var end = session.SubmittedAt ?? (session.Deadline < now ? session.Deadline : now);
        var codeQuestions = paper.Questions.Where(q => q.Kind == QuestionKinds.Code).Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
        return TypedResults.Ok(IntegritySummary.Summarize(events, codeQuestions, end));
    }

    private static Task<DateTimeOffset?> StartedAtAsync(LearnPlatformDbContext db, Caller caller, Guid id, CancellationToken ct) =>
        db.Sessions.Where(s => s.Id == id && s.TenantId == caller.TenantId).Select(s => (DateTimeOffset?)s.StartedAt).SingleOrDefaultAsync(ct);
}
