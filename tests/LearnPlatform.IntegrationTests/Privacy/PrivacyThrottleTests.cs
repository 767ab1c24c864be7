using LearnPlatform.Api.Privacy;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Privacy;

/// <summary>Export and erasure are heavy: five an hour per caller (one budget for both), and one at a time per caller.</summary>
public sealed class PrivacyThrottleTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task TheSixthExportOrErasureOfACallerInAnHourAnswers429WithRetryAfter()
    {
        var t = await App.PrivacyTenantAsync();
        for (var i = 0; i < 5; i++)
        {
            using var export = await t.CandidateClient.ExportAsync(t.Candidate.Uid);
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        }

        using var sixth = await t.CandidateClient.ExportAsync(t.Candidate.Uid);
        using var erase = await t.CandidateClient.EraseAsync(t.Candidate.Uid);

        foreach (var refused in new[] { sixth, erase })
        {
            await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
            var retryAfter = Assert.IsType<TimeSpan>(refused.Headers.RetryAfter?.Delta);
            Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        }
        // Per caller: another user, and an admin exporting the same candidate, still have their own budgets.
        Assert.Equal(HttpStatusCode.OK, (await t.OtherClient.ExportAsync(t.Other.Uid)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.ExportAsync(t.Candidate.Uid)).StatusCode);
    }

    [Fact]
    public async Task AnExportOrErasureWhileAnotherOfTheSameCallerRunsAnswers409()
    {
        var t = await App.PrivacyTenantAsync();
        await t.CandidateClient.GrantMetricsConsentAsync();
        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        // What a running export or erasure of the candidate's holds, on any replica.
        await using (var hold = new NpgsqlCommand("SELECT pg_advisory_lock(@k)", connection))
        {
            hold.Parameters.AddWithValue("k", PrivacyLock.Key(t.Id, t.Candidate.Uid));
            await hold.ExecuteNonQueryAsync();
        }

        var export = await (await t.CandidateClient.ExportAsync(t.Candidate.Uid)).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await t.CandidateClient.EraseAsync(t.Candidate.Uid)).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.ExportAsync(t.Candidate.Uid)).StatusCode);

        Assert.Contains("still running", export.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM consents WHERE tenant_id = @t AND uid = @u", ("t", t.Id), ("u", t.Candidate.Uid)));
        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", connection))
        {
            release.Parameters.AddWithValue("k", PrivacyLock.Key(t.Id, t.Candidate.Uid));
            await release.ExecuteNonQueryAsync();
        }
        Assert.Equal(HttpStatusCode.OK, (await t.CandidateClient.ExportAsync(t.Candidate.Uid)).StatusCode);
    }
}
