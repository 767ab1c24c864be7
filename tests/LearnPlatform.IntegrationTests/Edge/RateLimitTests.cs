using System.Net.Http.Headers;
using LearnPlatform.Api;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Edge;

/// <summary>Limits counted in PostgreSQL: one count for every replica, per tenant where configured, 429 with Retry-After.</summary>
public sealed class RateLimitTests
{
    private const HttpStatusCode Passed = HttpStatusCode.NotFound;

    [Fact]
    public async Task GuestSessionLimitHoldsAcrossTwoReplicasOverOneDatabase()
    {
        static void Limit(Dictionary<string, string?> settings) => settings["RateLimits:Policies:guest-sessions:PermitLimit"] = "4";
        await using var first = await TestApp.StartAsync(Limit);
        await using var second = await TestApp.StartAsync(Limit, database: first.Database);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await (i % 2 == 0 ? first : second).Client.CreateGuestSessionAsync();
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([Passed, Passed, Passed, Passed, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task ConcurrentRequestsOnTwoReplicasNeverExceedTheLimit()
    {
        static void Limit(Dictionary<string, string?> settings)
        {
            settings["RateLimits:Policies:guest-sessions:PermitLimit"] = "10";
            // Atomicity is the point here: no check may give up waiting on the row lock and count locally instead.
            settings["RateLimits:CheckTimeout"] = "00:01:00";
        }

        await using var first = await TestApp.StartAsync(Limit);
        await using var second = await TestApp.StartAsync(Limit, database: first.Database);

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? first : second).Client.CreateGuestSessionAsync()));

        Assert.Equal(10, responses.Count(r => r.StatusCode == Passed));
        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.DoesNotContain(first.Logs.Lines.Concat(second.Logs.Lines), line => line.Contains("fail open", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExamListingIsLimitedPerPrincipalAndATenantCanHaveItsOwnLimit()
    {
        Guid generous = Guid.NewGuid();
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["RateLimits:Policies:exam-listing:PermitLimit"] = "2";
            settings[$"RateLimits:Tenants:{generous}:exam-listing:PermitLimit"] = "5";
        });
        var ordinary = await app.CreateTenantAsync();
        await CreateTenantWithIdAsync(app, generous);
        var alice = app.ClientWithBearer((await app.SignUpAsync(ordinary)).IdToken);
        var bob = app.ClientWithBearer((await app.SignUpAsync(ordinary)).IdToken);
        var carol = app.ClientWithBearer((await app.SignUpAsync(generous)).IdToken);

        var aliceStatuses = await EdgeCalls.StatusesAsync(3, () => alice.GetAsync("/api/v1/exams"));
        var bobStatuses = await EdgeCalls.StatusesAsync(3, () => bob.GetAsync($"/api/v1/exams/{Guid.NewGuid()}"));
        var carolStatuses = await EdgeCalls.StatusesAsync(6, () => carol.GetAsync("/api/v1/exams"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], aliceStatuses);
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], bobStatuses);
        Assert.Equal([.. EdgeCalls.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests], carolStatuses);
    }

    [Fact]
    public async Task RoutesThatMayCallGeminiShareTheAiLimitPerPrincipalAndReadingUsageDoesNot()
    {
        await using var app = await TestApp.StartAsync(settings => settings["RateLimits:Policies:ai:PermitLimit"] = "3");
        var tenant = await app.CreateTenantAsync();
        var admin = app.ClientWithBearer((await app.SignUpAsync(tenant, Core.Data.Roles.Admin)).IdToken);
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);
        var paper = await app.PublishAsync(tenant);
        var session = (await candidate.StartSessionAsync(paper)).Id();

        // No Gemini is configured, so the AI routes answer 503 or 403; the limit counts them all the same.
        var adminStatuses = new List<HttpStatusCode>
        {
            (await admin.PostAsync($"/api/v1/papers/{paper}/regrade", null)).StatusCode,
            (await admin.PostAsJsonAsync($"/api/v1/papers/{paper}/questions/generate", new { topic = "tuples", kind = "essay", count = 1 })).StatusCode,
            (await admin.PostAsync($"/api/v1/sessions/{session}/regrade", null)).StatusCode,
            (await admin.PostAsync($"/api/v1/papers/{paper}/regrade", null)).StatusCode,
            (await admin.GetAsync("/api/v1/ai/usage")).StatusCode,
        };
        var candidateStatuses = await EdgeCalls.StatusesAsync(4, () => candidate.PostAsJsonAsync($"/api/v1/sessions/{session}/hints", new { question_id = "q4" }));

        Assert.Equal(HttpStatusCode.Accepted, adminStatuses[0]);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, adminStatuses[1]);
        Assert.Equal(HttpStatusCode.Conflict, adminStatuses[2]); // the session is still in progress
        Assert.Equal(HttpStatusCode.TooManyRequests, adminStatuses[3]);
        Assert.Equal(HttpStatusCode.OK, adminStatuses[4]);
        Assert.Equal([.. EdgeCalls.Repeat(HttpStatusCode.Forbidden, 3), HttpStatusCode.TooManyRequests], candidateStatuses);
    }

    [Fact]
    public async Task RejectionIsProblemJsonWithRetryAfterForTheRestOfTheWindow()
    {
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["RateLimits:Policies:guest-sessions:PermitLimit"] = "1";
            settings["RateLimits:Policies:guest-sessions:WindowSeconds"] = "3600";
        });

        (await app.Client.CreateGuestSessionAsync()).Dispose();
        using var limited = await app.Client.CreateGuestSessionAsync();

        var problem = await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("Too Many Requests", problem.GetProperty("title").GetString());
        Assert.InRange(limited.RetryAfterSeconds(), 3590, 3600);
        Assert.Contains($"{limited.RetryAfterSeconds()} seconds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("nosniff", limited.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-store", limited.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task ANewWindowStartsAfterTheOldOneEnds()
    {
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["RateLimits:Policies:guest-sessions:PermitLimit"] = "1";
            // Long enough that the second call lands in the first one's window even on a loaded machine.
            settings["RateLimits:Policies:guest-sessions:WindowSeconds"] = "3";
        });

        var before = await EdgeCalls.StatusesAsync(2, () => app.Client.CreateGuestSessionAsync());
        await Task.Delay(TimeSpan.FromSeconds(3.2));
        var after = await EdgeCalls.StatusesAsync(1, () => app.Client.CreateGuestSessionAsync());

        Assert.Equal([Passed, HttpStatusCode.TooManyRequests], before);
        Assert.Equal([Passed], after);
    }

    [Fact]
    public async Task CountersTableIsTenantAgnosticAndHoldsNoAddressUidOrTenant()
    {
        await using var app = await TestApp.StartAsync();
        var tenant = await app.CreateTenantAsync();
        var user = await app.SignUpAsync(tenant);
        (await app.ClientWithBearer(user.IdToken).GetAsync("/api/v1/exams")).Dispose();
        (await app.Client.CreateGuestSessionAsync()).Dispose();

        await using var connection = new NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using (var columns = new NpgsqlCommand(
            "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'rate_limit_counters'", connection))
        {
            Assert.Equal("key,window_start,expires_at,count", (string)(await columns.ExecuteScalarAsync())!);
        }
        await using var rows = new NpgsqlCommand("SELECT key, row_to_json(c)::text FROM rate_limit_counters c", connection);
        await using var reader = await rows.ExecuteReaderAsync();
        var count = 0;
        while (await reader.ReadAsync())
        {
            count++;
            Assert.Equal(32, ((byte[])reader[0]).Length);
            var row = reader.GetString(1);
            foreach (var secret in new[] { "127.0.0.1", user.Uid, tenant.ToString(), "exam-listing", "guest-sessions" })
            {
                Assert.DoesNotContain(secret, row, StringComparison.OrdinalIgnoreCase);
            }
        }
        Assert.Equal(2, count);
    }

    [Fact]
    public async Task ExpiredCountersAreSweptAndLiveOnesKept()
    {
        await using var app = await TestApp.StartAsync();
        await using var connection = new NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO rate_limit_counters (key, window_start, expires_at, count) VALUES
                (sha256('expired'), now() - interval '2 hours', now() - interval '1 hour', 7),
                (sha256('live'), now(), now() + interval '1 hour', 7)
            """, connection))
        {
            await insert.ExecuteNonQueryAsync();
        }

        (await app.Client.CreateGuestSessionAsync()).Dispose();

        await using var remaining = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE key = sha256('expired')), count(*) FILTER (WHERE key = sha256('live')) FROM rate_limit_counters", connection);
        var (expired, live) = await Eventually.ValueAsync(async () =>
        {
            await using var reader = await remaining.ExecuteReaderAsync();
            await reader.ReadAsync();
            return reader.GetInt64(0) == 0 ? (reader.GetInt64(0), reader.GetInt64(1)) : ((long, long)?)null;
        }, TimeSpan.FromSeconds(5), "the expired counter to be swept");
        Assert.Equal((0, 1), (expired, live));
    }

    [Fact]
    public async Task ApplicationRoleMayUseTheCountersTableWithoutAnyTenantSet()
    {
        await using var app = await TestApp.StartAsync();
        await using var connection = new NpgsqlConnection(app.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT has_table_privilege('rate_limit_counters', 'SELECT, INSERT, UPDATE, DELETE'), has_table_privilege('rate_limit_counters', 'TRUNCATE')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();

        Assert.True(reader.GetBoolean(0));
        Assert.False(reader.GetBoolean(1));
    }

    [Theory]
    [InlineData("RateLimits:Policies:exam-lsting:PermitLimit", "5", "exam-lsting")]
    [InlineData("RateLimits:Policies:ai:PermitLimit", "0", "PermitLimit")]
    [InlineData("RateLimits:Tenants:not-a-uuid:ai:PermitLimit", "5", "UUID")]
    [InlineData("RateLimits:Tenants:9f0c8f5e-3d1b-4c55-9d43-6e2f4f0b8a11:guest-sessions:PermitLimit", "5", "per client address")]
    public async Task MisconfiguredLimitsAreRefusedAtStartup(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(settings => settings[key] = value));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static async Task CreateTenantWithIdAsync(TestApp app, Guid id)
    {
        await using var connection = new NpgsqlConnection(app.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("INSERT INTO tenants (id, name, created_at) VALUES (@id, @name, now())", connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("name", $"Tenant {id:N}");
        await command.ExecuteNonQueryAsync();
    }
}
