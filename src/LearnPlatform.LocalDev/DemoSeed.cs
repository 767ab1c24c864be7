using System.Text.Json;
using LearnPlatform.Core.Data;
using Npgsql;

namespace LearnPlatform.LocalDev;

/// <summary>The demo tenant and its people for the local run. Safe to run on every start.</summary>
public static class DemoSeed
{
    public static readonly Guid TenantId = Guid.Parse("0193a5b0-0000-7000-8000-00000000d3e0");
    public static readonly Guid PaperId = Guid.Parse("0193a5b0-0000-7000-8000-0000000e8a40");
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
        await SeedPaperAsync(connection, ct);
    }

    /// <summary>
    /// The contract's sample paper, published and open to guests, with code runs allowed, so the walk-through has
    /// something to take. A demo paper still at its first version is brought up to date with this one.
    /// </summary>
    private static async Task SeedPaperAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var paper = new PaperSettings
        {
            Title = "Python basics (demo)",
            TimeLimitSeconds = 1800,
            MaxAttempts = 3,
            GuestAccess = true,
            AllowCodeRuns = true,
            Questions =
            [
                new Question { Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = ["4"], Points = 1 },
                new Question { Id = "q2", Kind = QuestionKinds.MultipleChoice, Prompt = "Even numbers?", Options = ["1", "2", "4"], Correct = ["2", "4"], Points = 2 },
                new Question { Id = "q3", Kind = QuestionKinds.ShortText, Prompt = "Keyword that defines a function?", Correct = ["def"], Points = 1 },
                new Question { Id = "q4", Kind = QuestionKinds.Essay, Prompt = "Explain list vs tuple.", Rubric = "Mutability (2), use cases (2), syntax (1)", Points = 5 },
                new Question
                {
                    Id = "q5", Kind = QuestionKinds.Code, Language = "python", Prompt = "Write add(a, b).", Points = 3,
                    Tests =
                    [
                        new CodeTest { Call = "add(2, 3)", Expected = "5" },
                        new CodeTest { Call = "add('a', 'b')", Expected = "'ab'" },
                        new CodeTest { Call = "add(-1, 1)", Expected = "0", Hidden = true },
                    ],
                    Solution = "def add(a, b):\n    return a + b\n",
                },
            ],
        };
        var content = JsonSerializer.Serialize(paper, JsonColumn.Options);
        await using var command = new NpgsqlCommand("""
            INSERT INTO papers (id, tenant_id, content, version, status, published_version, created_by, created_at, updated_at)
                VALUES (@paper, @tenant, @content::jsonb, 1, 'published', 1, @admin, now(), now())
                ON CONFLICT (id) DO UPDATE SET content = excluded.content WHERE papers.version = 1 AND papers.content <> excluded.content;
            INSERT INTO paper_versions (paper_id, version, tenant_id, content, published_by, published_at)
                VALUES (@paper, 1, @tenant, @content::jsonb, @admin, now())
                ON CONFLICT (paper_id, version) DO UPDATE SET content = excluded.content WHERE paper_versions.content <> excluded.content;
            """, connection);
        command.Parameters.AddWithValue("paper", PaperId);
        command.Parameters.AddWithValue("tenant", TenantId);
        command.Parameters.AddWithValue("content", content);
        command.Parameters.AddWithValue("admin", AdminUid);
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
