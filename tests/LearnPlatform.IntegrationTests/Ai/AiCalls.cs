using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Ai;

/// <summary>The AI routes as clients call them, and the papers and sessions they need.</summary>
public static class AiCalls
{
    public static Task<HttpResponseMessage> HintAsync(this HttpClient client, Guid sessionId, string questionId, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sessions/{sessionId}/hints") { Content = JsonContent.Create(new { question_id = questionId }) };
        if (apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-API-Key", apiKey);
        }
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> GenerateAsync(this HttpClient client, Guid paperId, object body, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/papers/{paperId}/questions/generate") { Content = JsonContent.Create(body) };
        if (apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-API-Key", apiKey);
        }
        return client.SendAsync(request);
    }

    public static PaperSettings Practice(bool guestAccess = false) => TestPapers.Sample(guestAccess: guestAccess) with { Mode = PaperModes.Practice };

    public static PaperSettings Exam(bool allowHints = false) => TestPapers.Sample() with { Mode = PaperModes.Exam, AllowHintsDuringExam = allowHints };

    /// <summary>A candidate of the tenant in a fresh session of a newly published paper.</summary>
    public static async Task<(HttpClient Candidate, Guid Session)> SessionAsync(this TestApp app, Guid tenant, PaperSettings paper)
    {
        var paperId = await app.PublishAsync(tenant, paper);
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);
        return (candidate, (await candidate.StartSessionAsync(paperId)).Id());
    }

    internal static Reply Hint(string hint = "Think about what the keyword abbreviates.", int promptTokens = 120, int outputTokens = 40) =>
        GeminiReplies.Grade(new { hint }, promptTokens, outputTokens);

    public static async Task<int> CounterAsync(this TestApp app, string scope, string kind) =>
        (int)await app.CountAsync("SELECT coalesce(sum(n), 0) FROM ai_usage_counters WHERE scope = @s AND kind = @k", ("s", scope), ("k", kind));

    /// <summary>Every row of every table, as text, that contains <paramref name="needle"/>: proof nothing stored it.</summary>
    public static async Task<List<string>> TablesContainingAsync(this TestApp app, string needle)
    {
        await using var connection = new NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        // Every schema of the database's own, the workflow engine's included.
        await using (var list = new NpgsqlCommand(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        var found = new List<string>();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} t WHERE t::text LIKE '%' || @needle || '%'", connection);
            command.Parameters.AddWithValue("needle", needle);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                found.Add(table);
            }
        }
        return found;
    }
}
