using Npgsql;

namespace LearnPlatform.IntegrationTests.Audit;

public sealed record AuditRow(Guid Id, Guid? TenantId, DateTimeOffset OccurredAt, string Actor, string Action, string Resource, string Outcome, string? ClientIp, string? Details);

/// <summary>Audit rows as the database holds them (read as the superuser, past row-level security), and the read API.</summary>
public static class AuditRows
{
    public static async Task<List<AuditRow>> AuditRowsAsync(this TestApp app, string where = "true", params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT id, tenant_id, occurred_at, actor, action, resource, outcome, client_ip, details::text FROM audit_events WHERE {where} ORDER BY occurred_at, id", connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var rows = new List<AuditRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new AuditRow(
                reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
        }
        return rows;
    }

    public static Task<List<AuditRow>> TenantAuditAsync(this TestApp app, Guid tenant, string action) =>
        app.AuditRowsAsync("tenant_id = @t AND action = @a", ("t", tenant), ("a", action));

    /// <summary>Writes an event straight into the table (as the superuser), for paging, filters and retention.</summary>
    public static async Task<Guid> InsertAuditAsync(this TestApp app, Guid? tenant, DateTimeOffset at, string action = "test.event", string actor = "tester", string resource = "thing/1", string outcome = "success")
    {
        var id = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO audit_events (id, tenant_id, occurred_at, actor, action, resource, outcome) VALUES (@id, @t, @at, @actor, @action, @resource, @outcome)", connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("t", (object?)tenant ?? DBNull.Value);
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.AddWithValue("action", action);
        command.Parameters.AddWithValue("resource", resource);
        command.Parameters.AddWithValue("outcome", outcome);
        await command.ExecuteNonQueryAsync();
        return id;
    }

    public static async Task<JsonElement> AuditPageAsync(this HttpClient admin, string query = "")
    {
        var response = await admin.GetAsync($"/api/v1/audit-events{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static List<JsonElement> Items(this JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();

    public static async Task<(Guid Tenant, HttpClient Admin, TestUser AdminUser)> TenantWithAdminAsync(this TestApp app)
    {
        var tenant = await app.CreateTenantAsync();
        var admin = await app.SignUpAsync(tenant, LearnPlatform.Core.Data.Roles.Admin);
        return (tenant, app.ClientWithBearer(admin.IdToken), admin);
    }
}
