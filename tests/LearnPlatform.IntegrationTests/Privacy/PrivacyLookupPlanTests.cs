using LearnPlatform.Api.Privacy;
using LearnPlatform.Core.Data;
using LearnPlatform.Workflows;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Privacy;

/// <summary>
/// Export and erasure find a user's rows through indexes, never by reading a tenant's whole audit trail or every
/// workflow run: the plans PostgreSQL chooses, as the application role, over a tenant with thousands of rows of others.
/// </summary>
public sealed class PrivacyLookupPlanTests(AppFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<Guid> BusyTenantAsync()
    {
        var tenant = await App.CreateTenantAsync();
        await App.ExecuteAsync("""
            INSERT INTO audit_events (id, tenant_id, occurred_at, actor, action, resource, outcome, details)
            SELECT gen_random_uuid(), @t, now(), 'u' || i, 'session.start', 'session/' || gen_random_uuid(), 'success',
                   jsonb_build_object('paper_id', gen_random_uuid(), 'attempt', 1)
            FROM generate_series(1, 5000) AS i;
            INSERT INTO workflow_runs (id, tenant_id, workflow_type, workflow_key, input, status, run_at, attempt, max_attempts, created_at, updated_at, completed_at)
            SELECT gen_random_uuid(), @t, 'grade-session', 'plan-test:' || gen_random_uuid(),
                   jsonb_build_object('session_id', gen_random_uuid(), 'grade_against_version', 1), 'completed', now(), 1, 3, now(), now(), now()
            FROM generate_series(1, 5000);
            ANALYZE audit_events;
            ANALYZE workflow_runs;
            ANALYZE workflow_run_values;
            """, ("t", tenant));
        return tenant;
    }

    private async Task<string> PlanAsync(Guid tenant, string sql, params NpgsqlParameter[] parameters)
    {
        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await TenantConnection.SetTenantAsync(connection, tenant, CancellationToken.None);
        await using var explain = new NpgsqlCommand("EXPLAIN (COSTS OFF) " + sql, connection);
        explain.Parameters.AddRange(parameters);
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join('\n', lines);
    }

    [Fact]
    public async Task TheAuditSectionAndTheRunLookupReadTheirIndexes()
    {
        var tenant = await BusyTenantAsync();
        var audit = UserExport.Sections.Single(s => s.Table == "audit_events").Sql.Replace("{0}", "$1").Replace("{1}", "$2");

        var auditPlan = await PlanAsync(tenant, audit, new NpgsqlParameter { Value = tenant }, new NpgsqlParameter { Value = "u-subject" });
        var runsPlan = await PlanAsync(tenant, WorkflowAdmin.RunsReferencingSql,
            new NpgsqlParameter("tenant", tenant), new NpgsqlParameter("refs", new[] { "u-subject", Guid.NewGuid().ToString() }));

        output.WriteLine(auditPlan);
        output.WriteLine(runsPlan);
        Assert.False(auditPlan.Contains("Seq Scan on audit_events", StringComparison.Ordinal), auditPlan);
        foreach (var index in new[] { "ix_audit_events_tenant_actor", "ix_audit_events_tenant_resource", "ix_audit_events_route_uid" })
        {
            Assert.True(auditPlan.Contains(index, StringComparison.Ordinal), $"{index} is not in the plan:\n{auditPlan}");
        }
        Assert.False(runsPlan.Contains("Seq Scan", StringComparison.Ordinal), runsPlan);
        Assert.True(runsPlan.Contains("ix_workflow_run_values_value", StringComparison.Ordinal), $"the values index is not in the plan:\n{runsPlan}");
    }
}
