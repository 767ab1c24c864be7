using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Infrastructure;

public static class GradingCalls
{
    private static readonly string[] Finished = ["graded", "needs_review"];

    /// <summary>Polls the result as the client would until grading has finished (graded or needs_review).</summary>
    public static Task<JsonElement> WaitForResultAsync(this HttpClient client, Guid sessionId, string? status = null, int seconds = 30) =>
        Eventually.ValueAsync(async () =>
        {
            var result = await client.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{sessionId}/result");
            var current = result.GetProperty("status").GetString();
            return (status is null ? Finished.Contains(current) : current == status) ? result : (JsonElement?)null;
        }, TimeSpan.FromSeconds(seconds), $"session {sessionId} to be {status ?? "graded or needs_review"}");

    public static decimal ScoreOf(this JsonElement result, string questionId) =>
        result.GetProperty("questions").EnumerateArray().Single(q => q.GetProperty("question_id").GetString() == questionId).GetProperty("score").GetDecimal();

    public static JsonElement QuestionOf(this JsonElement result, string questionId) =>
        result.GetProperty("questions").EnumerateArray().Single(q => q.GetProperty("question_id").GetString() == questionId);

    /// <summary>Publishes a corrected version of a paper, as an author editing and publishing again would.</summary>
    public static async Task<int> PublishNewVersionAsync(this TestApp app, Guid tenantId, Guid paperId, PaperSettings settings)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.Database.OwnerConnectionString);
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenantId);
        var paper = await db.Papers.AsTracking().SingleAsync(p => p.Id == paperId);
        var version = paper.Version + 1;
        paper.Version = version;
        paper.Content = settings;
        paper.PublishedVersion = version;
        db.PaperVersions.Add(new PaperVersion { PaperId = paperId, Version = version, TenantId = tenantId, Content = settings, PublishedBy = "test", PublishedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        return version;
    }
}
