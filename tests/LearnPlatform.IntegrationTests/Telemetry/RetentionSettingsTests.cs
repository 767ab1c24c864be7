using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>A tenant's telemetry retention: the default until its admin sets one, audited, and only admins.</summary>
public sealed class RetentionSettingsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task DefaultIsThirtyDaysUntilAnAdminSetsIt()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken);

        var before = await admin.GetFromJsonAsync<JsonElement>("/api/v1/telemetry/settings");
        using var put = await admin.PutAsJsonAsync("/api/v1/telemetry/settings", new { retention_days = 7 });
        var after = await admin.GetFromJsonAsync<JsonElement>("/api/v1/telemetry/settings");

        Assert.Equal(30, before.GetProperty("retention_days").GetInt32());
        Assert.True(before.GetProperty("is_default").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(7, after.GetProperty("retention_days").GetInt32());
        Assert.False(after.GetProperty("is_default").GetBoolean());
        Assert.Equal(1, await App.CountAsync(
            "SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = 'telemetry.settings.update' AND (details ->> 'retention_days')::int = 7", ("t", tenant)));
        var otherAdmin = App.ClientWithBearer((await App.SignUpAsync(await App.CreateTenantAsync(), Roles.Admin)).IdToken);
        Assert.True((await otherAdmin.GetFromJsonAsync<JsonElement>("/api/v1/telemetry/settings")).GetProperty("is_default").GetBoolean());
    }

    [Theory]
    [InlineData("""{"retention_days": 0}""")]
    [InlineData("""{"retention_days": 366}""")]
    [InlineData("""{}""")]
    [InlineData("""{"retention_days": 7, "keep_forever": true}""")]
    [InlineData("""{"retention_days": "7"}""")]
    public async Task OutOfRangeOrUnknownFieldsAreRefused(string body)
    {
        var tenant = await App.CreateTenantAsync();
        var admin = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken);

        using var response = await admin.PutAsync("/api/v1/telemetry/settings", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM telemetry_settings WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task OnlyAdminsReadOrChangeIt()
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);

        await (await author.GetAsync("/api/v1/telemetry/settings")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await author.PutAsJsonAsync("/api/v1/telemetry/settings", new { retention_days = 3 })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await App.Client.GetAsync("/api/v1/telemetry/settings")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
