using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.Api.LocalRun;

/// <summary>The demo tenant and its people for the local run. Safe to run on every start.</summary>
public static class DemoSeed
{
    public static readonly Guid TenantId = Guid.Parse("0193a5b0-0000-7000-8000-00000000d3e0");
    public const string AdminUid = "demo-admin";
    public const string CandidateUid = "demo-candidate";
    public const string AdminEmail = "admin@demo.learnplatform.test";
    public const string CandidateEmail = "candidate@demo.learnplatform.test";

    /// <summary>Emulator accounts only: the emulator holds no real identities.</summary>
    public const string Password = "demo-password";

    public static async Task SeedDatabaseAsync(string ownerConnectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(ct);
        await TenantConnection.SetTenantAsync(connection, TenantId, ct);
        await using var command = new NpgsqlCommand("""
            INSERT INTO tenants (id, name) VALUES (@tenant, 'Demo School') ON CONFLICT (id) DO NOTHING;
            INSERT INTO memberships (tenant_id, uid, role) VALUES (@tenant, @admin, 'admin'), (@tenant, @candidate, 'candidate')
                ON CONFLICT (tenant_id, uid) DO NOTHING;
            """, connection);
        command.Parameters.AddWithValue("tenant", TenantId);
        command.Parameters.AddWithValue("admin", AdminUid);
        command.Parameters.AddWithValue("candidate", CandidateUid);
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task SeedEmulatorAsync(AuthEmulator emulator, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = emulator.BaseUri };
        var client = new AuthEmulatorClient(http, emulator.ProjectId);
        foreach (var (uid, email) in new[] { (AdminUid, AdminEmail), (CandidateUid, CandidateEmail) })
        {
            await client.CreateUserAsync(uid, email, Password, ct);
            await client.SetCustomClaimsAsync(uid, new Dictionary<string, string> { ["tenant_id"] = TenantId.ToString() }, ct);
        }
    }
}
