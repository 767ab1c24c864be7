using LearnPlatform.Api.Cli;
using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Audit;
using Microsoft.Extensions.Configuration;

namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>Admins register platforms per tenant (API and CLI); deployments name one tenant; bad registrations are refused.</summary>
public sealed class LtiPlatformsApiTests(LtiFixture fixture) : IClassFixture<LtiFixture>
{
    private TestApp App => fixture.App;

    private static object Body(string deployment, string clientId = "client-7", string issuer = "https://school.example.test") => new
    {
        issuer,
        client_id = clientId,
        deployment_ids = new[] { deployment, deployment + "-b" },
        auth_login_url = "https://school.example.test/auth?tenant=1",
        token_url = "https://school.example.test/token",
        jwks_url = "https://school.example.test/jwks",
    };

    private async Task<(Guid Tenant, HttpClient Admin)> TenantAsync()
    {
        var tenant = await App.CreateTenantAsync();
        return (tenant, App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken));
    }

    [Fact]
    public async Task AnAdminRegistersListsReadsAndReplacesAPlatform()
    {
        var (tenant, admin) = await TenantAsync();
        var deployment = $"dep-{Guid.NewGuid():N}";

        using var created = await admin.PostAsJsonAsync("/api/v1/lti/platforms", Body(deployment));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var platform = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/api/v1/lti/platforms/{platform.Id()}", created.Headers.Location?.ToString());
        Assert.Equal([deployment, deployment + "-b"], platform.GetProperty("deployment_ids").EnumerateArray().Select(d => d.GetString()));
        var list = await admin.GetFromJsonAsync<JsonElement>("/api/v1/lti/platforms");
        Assert.Equal(platform.Id(), Assert.Single(list.GetProperty("items").EnumerateArray()).Id());
        var read = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/lti/platforms/{platform.Id()}");
        Assert.Equal("client-7", read.GetProperty("client_id").GetString());

        using var replaced = await admin.PutAsJsonAsync($"/api/v1/lti/platforms/{platform.Id()}", new
        {
            issuer = "https://school.example.test",
            client_id = "client-8",
            deployment_ids = new[] { deployment + "-c" },
            auth_login_url = "https://school.example.test/auth2",
            token_url = "https://school.example.test/token2",
            jwks_url = "https://school.example.test/jwks2",
        });

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var after = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/lti/platforms/{platform.Id()}");
        Assert.Equal("client-8", after.GetProperty("client_id").GetString());
        Assert.Equal([deployment + "-c"], after.GetProperty("deployment_ids").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(["lti_platform.create", "lti_platform.update"], (await App.AuditRowsAsync("tenant_id = @t AND resource = @r", ("t", tenant), ("r", $"lti_platform/{platform.Id()}"))).Select(r => r.Action));
    }

    [Fact]
    public async Task InvalidRegistrationsAreRefusedFieldByField()
    {
        var (_, admin) = await TenantAsync();

        using var response = await admin.PostAsJsonAsync("/api/v1/lti/platforms", new
        {
            issuer = "not a url",
            client_id = "",
            deployment_ids = new[] { "a", "a" },
            auth_login_url = "ftp://school.example.test/auth",
            token_url = "https://user:secret@school.example.test/token",
            jwks_url = (string?)null,
        });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "issuer", "client_id", "deployment_ids", "auth_login_url", "token_url", "jwks_url" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
        Assert.DoesNotContain("secret", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeploymentBelongsToOneTenantAndAPlatformIsRegisteredOncePerTenant()
    {
        var (_, admin) = await TenantAsync();
        var (_, otherAdmin) = await TenantAsync();
        var deployment = $"dep-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/lti/platforms", Body(deployment))).StatusCode);

        using var sameDeploymentElsewhere = await otherAdmin.PostAsJsonAsync("/api/v1/lti/platforms", Body(deployment));
        using var samePlatformAgain = await admin.PostAsJsonAsync("/api/v1/lti/platforms", Body($"dep-{Guid.NewGuid():N}"));
        using var sameKeyOtherDeployment = await otherAdmin.PostAsJsonAsync("/api/v1/lti/platforms", Body($"dep-{Guid.NewGuid():N}"));

        await sameDeploymentElsewhere.AssertProblemAsync(HttpStatusCode.Conflict);
        await samePlatformAgain.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.Created, sameKeyOtherDeployment.StatusCode);
    }

    [Fact]
    public async Task OnlyAdminsOfTheTenantSeeAndChangeItsPlatforms()
    {
        var (tenant, admin) = await TenantAsync();
        var (_, stranger) = await TenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var platform = (await (await admin.PostAsJsonAsync("/api/v1/lti/platforms", Body($"dep-{Guid.NewGuid():N}"))).Content.ReadFromJsonAsync<JsonElement>()).Id();

        Assert.Equal(HttpStatusCode.Forbidden, (await author.GetAsync("/api/v1/lti/platforms")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await author.PostAsJsonAsync("/api/v1/lti/platforms", Body("x"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Client.GetAsync("/api/v1/lti/platforms")).StatusCode);
        await (await stranger.GetAsync($"/api/v1/lti/platforms/{platform}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PutAsJsonAsync($"/api/v1/lti/platforms/{platform}", Body($"dep-{Guid.NewGuid():N}"))).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await stranger.GetFromJsonAsync<JsonElement>("/api/v1/lti/platforms")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task TheCliRegistersAPlatformAndRefusesABadOne()
    {
        var tenant = await App.CreateTenantAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:PostgresMigrations"] = App.Database.OwnerConnectionString,
            ["ConnectionStrings:Postgres"] = App.Database.AppConnectionString,
        }).Build();
        var deployment = $"dep-{Guid.NewGuid():N}";
        string[] add = ["lti", "platforms", "add", "--tenant", tenant.ToString(), "--issuer", "https://cli.example.test", "--client-id", "cli-1",
            "--deployment-ids", $"{deployment},{deployment}-2", "--auth-login-url", "https://cli.example.test/auth",
            "--token-url", "https://cli.example.test/token", "--jwks-url", "https://cli.example.test/jwks"];
        var output = new StringWriter();
        var error = new StringWriter();

        Assert.Equal(0, await OperatorCli.RunAsync(add, configuration, output, error));
        Assert.Equal(2, await App.CountAsync("SELECT count(*) FROM lti_deployments WHERE tenant_id = @t", ("t", tenant)));
        Assert.Single(await App.AuditRowsAsync("tenant_id = @t AND action = 'lti_platform.create' AND actor = 'operator'", ("t", tenant)));
        Assert.Equal(1, await OperatorCli.RunAsync(add, configuration, new StringWriter(), error));
        Assert.Contains("already", error.ToString(), StringComparison.Ordinal);
        var badUrl = add.Select(a => a == "https://cli.example.test/jwks" ? "file:///etc/passwd" : a).ToArray();
        var usage = new StringWriter();
        Assert.Equal(2, await OperatorCli.RunAsync(badUrl, configuration, new StringWriter(), usage));
        Assert.Contains("jwks_url", usage.ToString(), StringComparison.Ordinal);
    }
}
