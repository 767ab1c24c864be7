using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Papers;

/// <summary>
/// A paper's listing fields. The title and question count are read inside PostgreSQL from the jsonb content,
/// so a page of summaries does not load every paper's questions; the rest is composed with LINQ.
/// </summary>
public sealed class PaperSummaryRow
{
    public Guid Id { get; init; }
    public Guid TenantId { get; init; }
    public int Version { get; init; }
    public required string Status { get; init; }
    public int? PublishedVersion { get; init; }
    public required string Title { get; init; }
    public int QuestionCount { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public static IQueryable<PaperSummaryRow> Query(LearnPlatformDbContext db) =>
        db.Database.SqlQuery<PaperSummaryRow>($"""
            SELECT id AS "Id", tenant_id AS "TenantId", version AS "Version", status AS "Status",
                   published_version AS "PublishedVersion", content ->> 'title' AS "Title",
                   jsonb_array_length(content -> 'questions') AS "QuestionCount", updated_at AS "UpdatedAt"
            FROM papers
            """);

    public PaperSummary ToSummary() => new(Id, Version, Status, PublishedVersion, Title, QuestionCount, UpdatedAt);
}
