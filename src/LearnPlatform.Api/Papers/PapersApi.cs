using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Attempts;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Papers;

/// <summary>
/// Authors write papers under /api/v1/papers (answer keys included); any user of the tenant lists and previews
/// the published versions under /api/v1/exams (no answer keys: those routes only ever build candidate views).
/// </summary>
public static class PapersApi
{
    // A write that keeps losing races to other writes of the same paper gives up with 409 rather than spin.
    private const int WriteAttempts = 3;

    public static IServiceCollection AddPapers(this IServiceCollection services) =>
        services
            .AddSingleton<IValidator<PaperRequest>, PaperRequestValidator>()
            .AddSingleton<IValidator<PaperListQuery>, PaperListQueryValidator>()
            .AddSingleton<IValidator<PageQuery>, PageQueryValidator>();

    public static void MapPapers(this ApiRoutes routes)
    {
        var papers = routes.Authors.MapGroup("/papers");
        papers.MapPost("", CreateAsync);
        papers.MapGet("", ListAsync);
        papers.MapGet("/{id:guid}", GetAsync);
        papers.MapPut("/{id:guid}", UpdateAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        papers.MapPost("/{id:guid}/publish", PublishAsync).ProducesProblem(StatusCodes.Status409Conflict);

        var exams = routes.Users.MapGroup("/exams").RequireRateLimiting(RateLimitPolicies.ExamListing);
        exams.MapGet("", ListExamsAsync);
        exams.MapGet("/{id:guid}", GetExamAsync);
    }

    private static Task<Created<PaperResponse>> CreateAsync(
        PaperRequest body, Caller caller, LearnPlatformDbContext db, TimeProvider time, HttpResponse response, CancellationToken ct) =>
        CreateDraftAsync(caller, body.ToSettings(), source: null, db, time, response, ct);

    /// <summary>A new draft from <paramref name="content"/> (already validated), audited; <paramref name="source"/> names an import.</summary>
    internal static async Task<Created<PaperResponse>> CreateDraftAsync(
        Caller caller, PaperSettings content, string? source, LearnPlatformDbContext db, TimeProvider time, HttpResponse response, CancellationToken ct)
    {
        var now = Now(time);
        var paper = new Paper
        {
            TenantId = caller.TenantId,
            Content = content,
            CreatedBy = caller.Uid,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Papers.Add(paper);
        AuditTrail.Record(db, caller, now, "paper.create", $"paper/{paper.Id}", new { paper.Version, source });
        await db.SaveChangesAsync(ct);
        PaperETag.Set(response, paper.Version);
        return TypedResults.Created(ApiRoutes.Location("papers", paper.Id), paper.ToResponse());
    }

    private static async Task<Ok<ItemList<PaperSummary>>> ListAsync(
        [AsParameters] PaperListQuery query, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var (status, after) = (query.Status, query.After);
        var items = await PaperSummaryRow.Query(db)
            .Where(p => p.TenantId == caller.TenantId && (status == null || p.Status == status))
            .Where(p => after == null || p.Id.CompareTo(after.Value) < 0)
            .OrderByDescending(p => p.Id)
            .Take(query.Limit ?? Paging.DefaultLimit)
            .ToListAsync(ct);
        return TypedResults.Ok(new ItemList<PaperSummary>(items.Select(row => row.ToSummary()).ToList()));
    }

    private static async Task<Results<Ok<PaperResponse>, ProblemHttpResult>> GetAsync(
        Guid id, int? version, Caller caller, LearnPlatformDbContext db, HttpResponse response, CancellationToken ct)
    {
        var tenant = caller.TenantId;
        if (await FindAsync(db, tenant, id, ct) is not { } paper)
        {
            return Problems.NotFound("The paper");
        }
        if (version is null)
        {
            PaperETag.Set(response, paper.Version);
            return TypedResults.Ok(paper.ToResponse());
        }
        var published = await db.PaperVersions.FirstOrDefaultAsync(v => v.PaperId == id && v.TenantId == tenant && v.Version == version, ct);
        return published is null ? Problems.NotFound("The paper version") : TypedResults.Ok(published.ToResponse(paper));
    }

    private static async Task<Results<Ok<PaperResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, PaperRequest body, Caller caller, LearnPlatformDbContext db, TimeProvider time, HttpRequest request, HttpResponse response, CancellationToken ct)
    {
        var content = body.ToSettings();
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            if (await FindAsync(db, caller.TenantId, id, ct) is not { } paper)
            {
                return Problems.NotFound("The paper");
            }
            if (!PaperETag.Matches(request, paper.Version))
            {
                return Problems.PreconditionFailed($"The paper is at version {paper.Version}.");
            }
            // Saving a published paper unchanged is not an edit: it must not start a new version.
            var edited = paper.Status == PaperStatus.Published && SameContent(paper.Content, content)
                ? paper
                : await PaperVersioning.TryEditAsync(db, caller, paper, content, Now(time), ct);
            if (edited is not null)
            {
                PaperETag.Set(response, edited.Version);
                return TypedResults.Ok(edited.ToResponse());
            }
        }
        return Problems.Conflict("The paper is being changed by others at the same time; try again.");
    }

    private static async Task<Results<Ok<PaperResponse>, ProblemHttpResult>> PublishAsync(
        Guid id, Caller caller, LearnPlatformDbContext db, TimeProvider time, HttpResponse response, CancellationToken ct)
    {
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            if (await FindAsync(db, caller.TenantId, id, ct) is not { } paper)
            {
                return Problems.NotFound("The paper");
            }
            // Already published and unchanged since: publishing again changes nothing.
            var published = paper.Status == PaperStatus.Published
                ? paper
                : await PaperVersioning.TryPublishAsync(db, caller, paper, Now(time), ct);
            if (published is not null)
            {
                PaperETag.Set(response, published.Version);
                return TypedResults.Ok(published.ToResponse());
            }
        }
        return Problems.Conflict("The paper is being changed by others at the same time; try again.");
    }

    private static async Task<Ok<ItemList<ExamListItem>>> ListExamsAsync(
        [AsParameters] PageQuery query, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var after = query.After;
        var versions = await db.PublishedVersions(caller.TenantId)
            .Where(v => after == null || v.PaperId.CompareTo(after.Value) < 0)
            .OrderByDescending(v => v.PaperId)
            .Take(query.Limit ?? Paging.DefaultLimit)
            .ToListAsync(ct);
        return TypedResults.Ok(new ItemList<ExamListItem>(versions.Select(v => v.ToExamListItem()).ToList()));
    }

    private static async Task<Results<Ok<ExamPreview>, ProblemHttpResult>> GetExamAsync(
        Guid id, Caller caller, LearnPlatformDbContext db, AttemptLedger ledger, CancellationToken ct)
    {
        var version = await db.PublishedVersions(caller.TenantId).FirstOrDefaultAsync(v => v.PaperId == id, ct);
        if (version is null)
        {
            return Problems.NotFound("The exam");
        }
        return TypedResults.Ok(version.ToExamPreview(await SessionStarter.AttemptsUsedAsync(db, ledger, caller, id, ct)));
    }

    private static Task<Paper?> FindAsync(LearnPlatformDbContext db, Guid tenant, Guid id, CancellationToken ct) =>
        db.Papers.FirstOrDefaultAsync(p => p.Id == id && p.TenantId == tenant, ct);

    private static bool SameContent(PaperSettings a, PaperSettings b) =>
        System.Text.Json.JsonSerializer.Serialize(a, JsonColumn.Options) == System.Text.Json.JsonSerializer.Serialize(b, JsonColumn.Options);

    /// <summary>Now, at the microsecond precision PostgreSQL keeps, so a response and a later read agree.</summary>
    private static DateTimeOffset Now(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
