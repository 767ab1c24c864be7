using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Privacy;

/// <summary>The privacy routes as a client calls them, and a tenant with a candidate, a second candidate and an admin.</summary>
public static class PrivacyCalls
{
    public static Task<HttpResponseMessage> ExportAsync(this HttpClient client, string uid) =>
        client.GetAsync($"/api/v1/users/{Uri.EscapeDataString(uid)}/export");

    public static async Task<JsonElement> ExportSectionsAsync(this HttpClient client, string uid)
    {
        using var response = await client.ExportAsync(uid);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sections");
    }

    public static Task<HttpResponseMessage> EraseAsync(this HttpClient client, string uid) =>
        client.PostAsync($"/api/v1/users/{Uri.EscapeDataString(uid)}/delete", null);

    public static Task<HttpResponseMessage> PutConsentAsync(this HttpClient client, string flag, object body) =>
        client.PutAsJsonAsync($"/api/v1/me/consents/{flag}", body);

    public static async Task GrantMetricsConsentAsync(this HttpClient client) =>
        Assert.Equal(HttpStatusCode.OK, (await client.PutConsentAsync("biometric_metrics", new { granted = true })).StatusCode);

    public static Task<HttpResponseMessage> PutMetricsAsync(this HttpClient client, Guid sessionId, object body) =>
        client.PutAsJsonAsync($"/api/v1/sessions/{sessionId}/metrics", body);

    public static Task<HttpResponseMessage> PutRawMetricsAsync(this HttpClient client, Guid sessionId, string body, string mediaType = "application/json")
    {
        var content = new StringContent(body, System.Text.Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(mediaType);
        return client.PutAsync($"/api/v1/sessions/{sessionId}/metrics", content);
    }

    public static async Task<PrivacyTenant> PrivacyTenantAsync(this TestApp app)
    {
        var tenant = await app.CreateTenantAsync();
        var candidate = await app.SignUpAsync(tenant);
        var other = await app.SignUpAsync(tenant);
        var admin = await app.SignUpAsync(tenant, Roles.Admin);
        return new PrivacyTenant(tenant, candidate, app.ClientWithBearer(candidate.IdToken), other, app.ClientWithBearer(other.IdToken), app.ClientWithBearer(admin.IdToken), admin);
    }

    public static async Task AssertNoTraceAsync(this TestApp app, string needle)
    {
        var found = await app.RowsContainingAsync(needle);
        Assert.True(found.Count == 0, $"still found in: {string.Join(", ", found)}");
    }

    /// <summary>Every row, in every table and every text or JSON column, that contains <paramref name="needle"/>; read as the superuser, past row-level security.</summary>
    public static async Task<List<string>> RowsContainingAsync(this TestApp app, string needle)
    {
        await using var connection = new NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column)>();
        await using (var list = new NpgsqlCommand("""
            SELECT c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')
            ORDER BY 1, 2
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        Assert.NotEmpty(columns);
        var found = new List<string>();
        foreach (var (table, column) in columns)
        {
            // Identifiers come from the catalog, quoted; the needle is a parameter.
            await using var scan = new NpgsqlCommand($"SELECT count(*) FROM public.\"{table}\" WHERE strpos(\"{column}\"::text, @n) > 0", connection);
            scan.Parameters.AddWithValue("n", needle);
            var count = (long)(await scan.ExecuteScalarAsync())!;
            if (count > 0)
            {
                found.Add($"{table}.{column}: {count}");
            }
        }
        return found;
    }
}

public sealed record PrivacyTenant(Guid Id, TestUser Candidate, HttpClient CandidateClient, TestUser Other, HttpClient OtherClient, HttpClient Admin, TestUser AdminUser);

/// <summary>Rows only other parts of the system write (the grading workflow), seeded as they would leave them.</summary>
public static class PrivacySeeds
{
    /// <summary>A grading run naming the session and the uid in its input, with a checkpoint holding AI feedback.</summary>
    public static async Task<Guid> SeedGradingRunAsync(this TestApp app, Guid tenant, Guid session, string uid, string feedback, string status)
    {
        var run = Guid.CreateVersion7();
        var running = status == "running";
        await app.ExecuteAsync("""
            INSERT INTO workflow_runs (id, tenant_id, workflow_type, workflow_key, input, status, run_at, attempt, max_attempts,
                                       lease_owner, lease_expires_at, created_at, updated_at, completed_at)
            VALUES (@id, @t, 'grade-session', 'grade-session:' || @id::text, jsonb_build_object('session_id', @s::text, 'candidate_uid', @u),
                    @status, now(), 1, 3, CASE WHEN @running THEN 'worker#1' END, CASE WHEN @running THEN now() + interval '1 minute' END,
                    now(), now(), CASE WHEN @status = 'completed' THEN now() END);
            INSERT INTO workflow_steps (run_id, step_id, tenant_id, result, completed_at)
            VALUES (@id, 'grade-q4', @t, jsonb_build_object('feedback', @f), now());
            """, ("id", run), ("t", tenant), ("s", session), ("u", uid), ("status", status), ("running", running), ("f", feedback));
        return run;
    }

    public static async Task<Guid> PaperOfAsync(this TestApp app, Guid session)
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT paper_id FROM exam_sessions WHERE id = @s", connection);
        command.Parameters.AddWithValue("s", session);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<string> CandidateOfAsync(this TestApp app, Guid session)
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT candidate_uid FROM exam_sessions WHERE id = @s", connection);
        command.Parameters.AddWithValue("s", session);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A statement as the superuser, past row-level security.</summary>
    public static async Task ExecuteAsync(this TestApp app, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync();
    }
}
