using LearnPlatform.Workflows.Tests.Infrastructure;
using Npgsql;

namespace LearnPlatform.Workflows.Tests;

/// <summary>A data subject's runs are those whose input holds one of the given values as a whole string, at any depth.</summary>
public sealed class SubjectLookupTests(WorkflowDatabase db) : IClassFixture<WorkflowDatabase>
{
    private readonly WorkflowRegistry registry = new WorkflowRegistry().Register<object>("lookup.noop", (_, _) => Task.CompletedTask);

    [Fact]
    public async Task RunsNamingAValueAnywhereAreFoundAndQuotesOrOtherTenantsCannotWidenTheMatch()
    {
        var tenant = await db.CreateTenantAsync();
        var other = await db.CreateTenantAsync();
        const string awkward = "u\"1\\ || @ != \"x\" é";
        var client = new WorkflowClient(registry);
        await using var connection = await db.App.OpenConnectionAsync();
        await using (var setTenant = new NpgsqlCommand("SELECT set_config('app.workflow_engine', 'on', false)", connection))
        {
            await setTenant.ExecuteNonQueryAsync();
        }
        async Task<Guid> StartAsync(Guid owner, object input) =>
            (await client.StartAsync(connection, null, "lookup.noop", $"lookup:{Guid.NewGuid()}", input, owner, DateTimeOffset.UtcNow.AddYears(1))).RunId;
        var nested = await StartAsync(tenant, new { message = new { data = new { candidate_id = awkward } } });
        var inArray = await StartAsync(tenant, new { ids = new[] { "s-1", "s-2" } });
        await StartAsync(tenant, new { candidate_id = "u\"1" });
        await StartAsync(tenant, new { note = $"{awkward} inside a longer string" });
        await StartAsync(other, new { candidate_id = awkward });

        await using var tenantConnection = await db.App.OpenConnectionAsync();
        await using (var setTenant = new NpgsqlCommand("SELECT set_config('app.tenant_id', $1, false)", tenantConnection))
        {
            setTenant.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
            await setTenant.ExecuteNonQueryAsync();
        }
        var found = await WorkflowAdmin.RunsReferencingAsync(tenantConnection, null, tenant, [awkward, "s-2"]);

        Assert.Equal(new[] { nested, inArray }.Order(), found.Order());
    }
}
