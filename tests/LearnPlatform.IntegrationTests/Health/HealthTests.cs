namespace LearnPlatform.IntegrationTests.Health;

public sealed class HealthTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task LivenessAnswersWhileTheProcessRuns()
    {
        var response = await fixture.App.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task ReadinessAnswersWhenTheDatabaseIsMigrated()
    {
        var response = await fixture.App.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReadinessFailsWhenTheDatabaseDoesNotAnswer()
    {
        var unreachable = $"Host=127.0.0.1;Port={FreePort.Next()};Database=x;Username=x;Password=x;Timeout=2";
        await using var app = await TestApp.StartAsync(settings => settings["ConnectionStrings:Postgres"] = unreachable);

        var response = await app.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task ReadinessFailsWhileMigrationsArePending()
    {
        var postgres = await TestPostgres.InstanceAsync();
        var empty = await postgres.CreateEmptyDatabaseAsync();
        await using var app = await TestApp.StartAsync(settings => settings["ConnectionStrings:Postgres"] = empty.AppConnectionString);

        var response = await app.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
