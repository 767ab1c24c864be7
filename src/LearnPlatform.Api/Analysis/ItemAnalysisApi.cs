using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Telemetry;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Analysis;

/// <summary>GET /papers/{id}/analysis: one version's item analysis; without <c>version</c>, the latest published one.</summary>
public sealed record AnalysisQuery(Guid Id, int? Version);

public sealed class AnalysisQueryValidator : AbstractValidator<AnalysisQuery>
{
    public AnalysisQueryValidator() => RuleFor(q => q.Version).GreaterThanOrEqualTo(1).WithMessage("version is a published version number (1 or more).");
}

/// <summary>Figures a sample cannot define are written as null (not left out), so a client sees that they are undefined.</summary>
public sealed record ItemAnalysis(
    Guid PaperId,
    int Version,
    int Sessions,
    int GroupSize,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? CronbachAlpha,
    IReadOnlyList<QuestionAnalysis> Questions);

public sealed record QuestionAnalysis(
    string QuestionId,
    string Kind,
    decimal MaxScore,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Facility,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Discrimination,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? MeanSecondsSpent,
    double OmissionRate,
    IReadOnlyList<OptionStatistics>? Options);

public static class ItemAnalysisApi
{
    public static IServiceCollection AddItemAnalysis(this IServiceCollection services) =>
        services.AddSingleton<IValidator<AnalysisQuery>, AnalysisQueryValidator>();

    public static void MapItemAnalysis(this ApiRoutes routes) =>
        routes.Authors.MapGet("/papers/{id:guid}/analysis", GetAsync);

    private static async Task<Results<Ok<ItemAnalysis>, ProblemHttpResult>> GetAsync(
        [AsParameters] AnalysisQuery query, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var (id, version) = query;
        var tenant = caller.TenantId;
        var paper = await db.PaperVersions
            .Where(v => v.PaperId == id && v.TenantId == tenant)
            .Where(v => version == null
                ? db.Papers.Any(p => p.Id == id && p.TenantId == tenant && p.PublishedVersion == v.Version)
                : v.Version == version)
            .Select(v => new { v.Version, v.Content })
            .SingleOrDefaultAsync(ct);
        if (paper is null)
        {
            return Problems.NotFound(version is null ? "A published version of the paper" : "The paper version");
        }

        var rows = await GradedSessionRows(db, tenant, id, paper.Version).ToListAsync(ct);
        var sessions = rows.GroupBy(r => r.SessionId).Select(s => ToSession(s.Key, [.. s], paper.Content)).ToList();
        var questions = paper.Content.Questions.Select(q => new AnalysedQuestion(q.Id, q.Points, QuestionKinds.IsChoice(q.Kind) ? q.Options : null)).ToList();
        var statistics = ItemStatistics.Analyse(questions, sessions);
        return TypedResults.Ok(new ItemAnalysis(
            id,
            paper.Version,
            statistics.Sessions,
            statistics.GroupSize,
            Round(statistics.CronbachAlpha),
            [.. paper.Content.Questions.Zip(statistics.Questions, (question, figures) => new QuestionAnalysis(
                question.Id,
                question.Kind,
                question.Points,
                Round(figures.Facility),
                Round(figures.Discrimination),
                figures.MeanSecondsSpent is { } seconds ? Math.Round(seconds, 1) : null,
                Math.Round(figures.OmissionRate, 3),
                figures.Options?.Select(o => o with { TopGroupRate = Math.Round(o.TopGroupRate, 3), BottomGroupRate = Math.Round(o.BottomGroupRate, 3) }).ToList()))]));
    }

    /// <summary>
    /// Everything the analysis reads about the version's graded sessions, in one round trip: a row per question grade
    /// (with the saved answer), and a row per question_view or heartbeat event (for the time spent).
    /// </summary>
    private static IQueryable<SessionRow> GradedSessionRows(LearnPlatformDbContext db, Guid tenant, Guid paperId, int version)
    {
        var sessions = db.Sessions.Where(s => s.TenantId == tenant && s.PaperId == paperId && s.PaperVersion == version && s.Status == SessionStatus.Graded);
        var grades =
            from g in db.QuestionGrades
            join s in sessions on g.SessionId equals s.Id
            select new
            {
                SessionId = s.Id,
                QuestionId = (string?)g.QuestionId,
                Score = g.OverrideScore ?? (g.AutoStatus == GradeStatus.Graded ? g.AutoScore : null),
                Answer = db.Responses.Where(r => r.SessionId == s.Id && r.QuestionId == g.QuestionId).Select(r => r.Answer).FirstOrDefault(),
                Type = (string?)null,
                At = (DateTimeOffset?)null,
                ReceivedAt = (DateTimeOffset?)null,
                s.SubmittedAt,
            };
        var events =
            from e in db.TelemetryEvents
            join s in sessions on e.SessionId equals s.Id
            where e.Type == EventTypes.QuestionView || e.Type == EventTypes.Heartbeat
            select new
            {
                SessionId = s.Id,
                e.QuestionId,
                Score = (decimal?)null,
                Answer = (string?)null,
                Type = (string?)e.Type,
                At = (DateTimeOffset?)e.ClientAt,
                ReceivedAt = (DateTimeOffset?)e.ReceivedAt,
                s.SubmittedAt,
            };
        return grades.Concat(events).Select(r => new SessionRow(r.SessionId, r.QuestionId, r.Score, r.Answer, r.Type, r.At, r.ReceivedAt, r.SubmittedAt));
    }

    private sealed record SessionRow(
        Guid SessionId, string? QuestionId, decimal? Score, string? Answer, string? Type, DateTimeOffset? At, DateTimeOffset? ReceivedAt, DateTimeOffset? SubmittedAt);

    private static AnalysedSession ToSession(Guid sessionId, IReadOnlyList<SessionRow> rows, PaperSettings paper)
    {
        var events = rows.Where(r => r.Type is not null).Select(r => new IntegrityEvent(r.Type!, r.At!.Value, r.ReceivedAt!.Value, r.QuestionId)).ToList();
        var seconds = rows[0].SubmittedAt is { } submittedAt ? TimeOnQuestion.Seconds(events, submittedAt) : new Dictionary<string, double>();
        var choice = paper.Questions.Where(q => QuestionKinds.IsChoice(q.Kind)).Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
        var items = rows.Where(r => r.Type is null).ToDictionary(
            r => r.QuestionId!,
            r =>
            {
                var answer = r.Answer is null ? (JsonElement?)null : JsonSerializer.Deserialize<JsonElement>(r.Answer);
                return new ItemResult(
                    r.Score ?? 0,
                    IsAnswered(answer),
                    choice.Contains(r.QuestionId!) ? ChosenOptions(answer) : null,
                    seconds.TryGetValue(r.QuestionId!, out var spent) ? spent : null);
            },
            StringComparer.Ordinal);
        // A question viewed but without a grade row (none is expected in a graded session) still has its time.
        foreach (var (question, spent) in seconds.Where(s => !items.ContainsKey(s.Key)))
        {
            items[question] = new ItemResult(0, Answered: false, SecondsSpent: spent);
        }
        return new AnalysedSession(sessionId, items);
    }

    /// <summary>An answer counts when it says something: a non-blank text or at least one option.</summary>
    private static bool IsAnswered(JsonElement? answer) => answer switch
    {
        { ValueKind: JsonValueKind.String } text => !string.IsNullOrWhiteSpace(text.GetString()),
        { ValueKind: JsonValueKind.Array } options => options.GetArrayLength() > 0,
        _ => false,
    };

    private static IReadOnlyList<string>? ChosenOptions(JsonElement? answer) =>
        answer is { ValueKind: JsonValueKind.Array } options
            ? [.. options.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!)]
            : null;

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 3) : null;
}
