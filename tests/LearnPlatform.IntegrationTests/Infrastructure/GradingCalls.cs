using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Infrastructure;

public static class GradingCalls
{
    private static readonly string[] Finished = ["graded", "needs_review"];

    /// <summary>Polls the result as the client would until grading has finished (graded or needs_review).</summary>
    public static async Task<JsonElement> WaitForResultAsync(this HttpClient client, Guid sessionId, string? status = null, int seconds = 30)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var result = await client.GetFromJsonAsync<JsonElement>($"/api/v1/sessions/{sessionId}/result");
            var current = result.GetProperty("status").GetString();
            if (status is null ? Finished.Contains(current) : current == status)
            {
                return result;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"session {sessionId} is still '{current}' after {seconds} s");
            }
            await Task.Delay(100);
        }
    }

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
