using System.Security.Cryptography;
using System.Text;
using LearnPlatform.IntegrationTests.Privacy;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Sessions;

/// <summary>Attempt limits survive the candidate's erasure: the ledger keeps counts under a keyed hash, never a uid.</summary>
public sealed class AttemptLedgerTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private const string Password = "password-123";

    private TestApp App => fixture.App;

    private async Task<(HttpClient Client, TestUser User, Guid Tenant, Guid Paper)> OneAttemptUsedAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant);
        var client = App.ClientWithBearer(user.IdToken);
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(maxAttempts: 1));
        var session = await client.StartSessionAsync(paper);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SubmitAsync(session.Id())).StatusCode);
        return (client, user, tenant, paper);
    }

    [Fact]
    public async Task ACandidateWhoErasedThemselvesAndSignsUpAgainWithTheSameUidStillHasNoAttemptsLeft()
    {
        var (client, user, tenant, paper) = await OneAttemptUsedAsync();
        using (var erased = await client.EraseAsync(user.Uid))
        {
            Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        }
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM exam_sessions WHERE candidate_uid = @u", ("u", user.Uid)));

        // The account is deleted and made again with the same uid, as a returning person would be.
        await App.Emulator.DeleteUserAsync(user.Uid);
        var email = $"{user.Uid}@example.test";
        await App.Emulator.CreateUserAsync(user.Uid, email, Password);
        await App.Emulator.SetCustomClaimsAsync(user.Uid, new Dictionary<string, string> { ["tenant_id"] = tenant.ToString() });
        var again = App.ClientWithBearer(await App.Emulator.SignInAsync(email, Password));

        var start = await again.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper });

        var problem = await start.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("attempt", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var preview = await again.GetFromJsonAsync<JsonElement>($"/api/v1/exams/{paper}");
        Assert.Equal(0, preview.GetProperty("attempts_left").GetInt32());
    }

    [Fact]
    public async Task TheLedgerHoldsAKeyedHashOfTenantUidAndPaperAndNoUid()
    {
        var (_, user, tenant, paper) = await OneAttemptUsedAsync();

        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT subject_hmac, attempts FROM attempt_ledger WHERE tenant_id = @t AND paper_id = @p", connection);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("p", paper);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestApp.AttemptLedgerKey), Encoding.UTF8.GetBytes($"{tenant:D}|{user.Uid}|{paper:D}"));
        Assert.Equal(expected, (byte[])reader[0]);
        Assert.Equal(1, reader.GetInt32(1));
        Assert.False(await reader.ReadAsync());
    }

    [Theory]
    [InlineData("DELETE FROM attempt_ledger")]
    [InlineData("TRUNCATE attempt_ledger")]
    public async Task TheApplicationRoleCannotRemoveLedgerRows(string sql)
    {
        var (_, _, tenant, paper) = await OneAttemptUsedAsync();
        await using var connection = new NpgsqlConnection(App.Database.AppConnectionString);
        await connection.OpenAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, false)", connection))
        {
            set.Parameters.AddWithValue("t", tenant.ToString());
            await set.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(sql, connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM attempt_ledger WHERE paper_id = @p", ("p", paper)));
    }

    [Fact]
    public async Task ALedgerKeyShorterThan32CharactersStopsStartUp()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            TestApp.StartAsync(s => s["Privacy:AttemptLedgerKey"] = new string('k', 31)));

        Assert.Contains("Privacy__AttemptLedgerKey", error.Message, StringComparison.Ordinal);
    }
}
