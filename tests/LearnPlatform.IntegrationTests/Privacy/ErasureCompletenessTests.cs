using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Telemetry;
using Npgsql;
using PaperHttp = LearnPlatform.IntegrationTests.Papers.PaperHttp;

namespace LearnPlatform.IntegrationTests.Privacy;

/// <summary>
/// Every table in the schema either holds no user data (listed below, with why) or is covered by export and erasure.
/// A table added later fails here until the export has a section for it, this test seeds a row of it for the user,
/// and erasure leaves no trace of the uid in it.
/// </summary>
public sealed class ErasureCompletenessTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private static readonly Dictionary<string, string> NoUserData = new()
    {
        ["__EFMigrationsHistory"] = "migration bookkeeping",
        ["tenants"] = "the tenant itself: a name and an Identity Platform tenant id, nothing about any user",
        ["guest_tokens"] = "guest credentials: a token hash bound to a guest session, which has no uid; guests are not linked to users",
        ["ai_monthly_spend"] = "a tenant's AI spend, calls and tokens per month: totals over every user, none named",
        ["ai_reservations"] = "AI requests in flight for minutes: counter ids, amounts and an expiry; no uid, session or scope",
        ["rate_limit_counters"] = "a SHA-256 of policy, window and partition, a window start and a count: the key names no tenant, uid or address",
        ["telemetry_tickets"] = "a socket ticket's SHA-256 and its session, for 30 seconds; the handshake deletes it, maintenance deletes it when expired",
        ["telemetry_settings"] = "a tenant's telemetry retention in days; who changed it is in the audit trail",
        ["lti_platforms"] = "an LMS the tenant registered: its issuer, client id and URLs, nothing about any user",
        ["lti_deployments"] = "the LMS's deployment ids of the tenant's platforms, nothing about any user",
        ["webhook_endpoints"] = "a receiver URL, event types and a secret's ciphertext; who registered it is in the audit trail, not here",
        ["webhook_deliveries"] = "per attempt: message id, event type, status code, duration, an error the service wrote; no session or uid (the payload lives in the run's input, erased with the run)",
        ["workflow_schema_versions"] = "the workflow engine's migration bookkeeping",
        ["retention_settings"] = "a tenant's session retention in days; who changed it is in the audit trail",
        ["audit_retention_floor"] = "one row: the shortest audit retention the purge accepts",
        ["attempt_ledger"] = "attempts per paper under an HMAC of tenant, uid and paper whose key is not in the database; kept through erasure so attempt limits hold (GDPR Art. 17(3)(b))",
        ["workflow_run_values"] = "a lookup copy of the string values in workflow_runs.input (exported with the runs), rewritten by a trigger when erasure rewrites the input",
    };

    private TestApp App => fixture.App;

    [Fact]
    public async Task EveryTableWithUserDataIsExportedAndHoldsNoTraceOfTheUserAfterErasure()
    {
        var tenant = await App.CreateTenantAsync();
        var subject = await App.SignUpAsync(tenant, Roles.Admin);
        var client = App.ClientWithBearer(subject.IdToken);
        var bystander = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var auditor = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken);
        var marker = $"ANSWER-MARKER-{Guid.NewGuid():N}";
        var bystanderAnswer = $"BYSTANDER-{Guid.NewGuid():N}";
        var session = await SeedEverythingAsync(tenant, subject, client, marker);
        var paper = await App.PaperOfAsync(session);
        var theirs = (await bystander.StartSessionAsync(paper)).Id();
        Assert.Equal(HttpStatusCode.OK, (await bystander.SaveAsync(theirs, "q4", bystanderAnswer)).StatusCode);

        var tables = await TablesAsync();
        Assert.All(NoUserData.Keys, t => Assert.Contains(t, tables));
        var sections = await client.ExportSectionsAsync(subject.Uid);
        foreach (var table in tables.Where(t => !NoUserData.ContainsKey(t)))
        {
            Assert.True(sections.TryGetProperty(table, out var section), $"the export has no section for {table}");
            Assert.True(section.GetArrayLength() > 0, $"the export's {table} section is empty: seed a row of {table} for the user in this test");
        }
        Assert.DoesNotContain(bystanderAnswer, sections.GetRawText(), StringComparison.Ordinal);
        Assert.NotEmpty(await App.RowsContainingAsync(subject.Uid));
        Assert.NotEmpty(await App.RowsContainingAsync(marker));

        using var erased = await client.EraseAsync(subject.Uid);

        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        await App.AssertNoTraceAsync(subject.Uid);
        await App.AssertNoTraceAsync(marker);
        var after = await auditor.ExportSectionsAsync(subject.Uid);
        Assert.All(after.EnumerateObject(), s => Assert.Equal(0, s.Value.GetArrayLength()));
        // Statistics survive without identity; the bystander keeps everything.
        Assert.Equal(2, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE paper_id = @p", ("p", paper)));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @s AND candidate_uid LIKE 'erased:%'", ("s", session)));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM question_grades WHERE session_id = @s AND override_score = 3", ("s", session)));
        Assert.NotEmpty(await App.RowsContainingAsync(bystanderAnswer));
    }

    /// <summary>Touches every table that can hold user data, through the API where a route writes it.</summary>
    private async Task<Guid> SeedEverythingAsync(Guid tenant, TestUser subject, HttpClient client, string marker)
    {
        var paper = await PaperHttp.CreatePaperAsync(client);
        await PaperHttp.PublishAsync(client, paper);
        await client.GrantMetricsConsentAsync();
        var session = (await client.StartSessionAsync(paper.GetProperty("id").GetGuid())).Id();
        Assert.Equal(HttpStatusCode.OK, (await client.PutMetricsAsync(session, new { focus_score = 0.8, tab_switches = 2 })).StatusCode);
        await using (var telemetry = await App.OpenTelemetryAsync(client, session))
        {
            await telemetry.SendBatchAndWaitForAckAsync(1, TelemetryCalls.Event("blur"), TelemetryCalls.Event("keystroke_stats", data: new { count = 10, mean_ms = 150, variance_ms2 = 20 }));
        }
        Assert.Equal(HttpStatusCode.OK, (await client.SaveAsync(session, "q4", marker)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SubmitAsync(session)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/sessions/{session}/responses/q4/grade", new { score = 3, reason = "Covers mutability" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/accommodations/{subject.Uid}", new { extra_minutes = 10 })).StatusCode);
        // The rows the AI cap store writes for an author's generations and a session's hints (docs/security.md).
        await App.ExecuteAsync("""
            INSERT INTO ai_usage_counters (tenant_id, scope, subject, kind, n, updated_at) VALUES
                (@t, 'author:2026-11-22:' || @u, @u, 'generations', 2, now()),
                (@t, 'session:' || @s, @s::text, 'hints', 1, now())
            """, ("t", tenant), ("u", subject.Uid), ("s", session));
        await App.SeedGradingRunAsync(tenant, session, subject.Uid, $"The answer '{marker}' names mutability.", status: "completed");
        // An LTI user (the platform's 'sub') mapped to the uid, a launch of theirs and the session it started (docs/security.md).
        await App.ExecuteAsync($$"""
            INSERT INTO lti_platforms (id, tenant_id, issuer, client_id, auth_login_url, token_url, jwks_url, created_at, updated_at)
                VALUES (@p, @t, 'https://lms.example.test', 'c1', 'https://lms.example.test/a', 'https://lms.example.test/t', 'https://lms.example.test/j', now(), now());
            INSERT INTO lti_users (id, tenant_id, platform_id, subject, uid, created_at) VALUES (@lu, @t, @p, 'lms-sub-{{marker}}', @u, now());
            INSERT INTO lti_launches (id, tenant_id, platform_id, uid, role, message_type, nonce, deployment_id, paper_id, resource_link_id, created_at)
                VALUES (@l, @t, @p, @u, 'candidate', 'LtiResourceLinkRequest', @n, 'd1', @paper, 'link-1', now());
            INSERT INTO lti_session_links (session_id, tenant_id, platform_id, lti_user_id, resource_link_id, lineitem_url, updated_at)
                VALUES (@s, @t, @p, @lu, 'link-1', 'https://lms.example.test/lineitems/1', now());
            """, ("p", Guid.NewGuid()), ("t", tenant), ("lu", Guid.NewGuid()), ("u", subject.Uid), ("l", Guid.NewGuid()), ("n", Guid.NewGuid().ToString()),
            ("paper", paper.GetProperty("id").GetGuid()), ("s", session));
        await App.ExecuteAsync("UPDATE question_grades SET auto_feedback = @f WHERE session_id = @s AND question_id = 'q4'",
            ("f", $"You wrote {marker}"), ("s", session));
        return session;
    }

    private async Task<List<string>> TablesAsync()
    {
        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            // A partition is storage of its parent table (telemetry_events), covered with it.
            """
            SELECT t.table_name FROM information_schema.tables t JOIN pg_class c ON c.oid = format('public.%I', t.table_name)::regclass
            WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND NOT c.relispartition ORDER BY 1
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }
        return tables;
    }
}
