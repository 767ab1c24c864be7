using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Identity;

public sealed class MeTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task EmulatorUserWithTenantClaimIsACandidateByDefault()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant);

        var me = await App.ClientWithBearer(user.IdToken).GetFromJsonAsync<JsonElement>("/api/v1/me");

        Assert.Equal(user.Uid, me.GetProperty("uid").GetString());
        Assert.Equal(tenant, me.GetProperty("tenant_id").GetGuid());
        Assert.Equal("candidate", me.GetProperty("role").GetString());
        Assert.Equal("user", me.GetProperty("kind").GetString());
        Assert.False(me.TryGetProperty("session_id", out _));
    }

    [Fact]
    public async Task RoleComesFromTheMembershipTable()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.SignUpAsync(tenant, Roles.Admin);

        var me = await App.ClientWithBearer(admin.IdToken).GetFromJsonAsync<JsonElement>("/api/v1/me");

        Assert.Equal("admin", me.GetProperty("role").GetString());
    }

    [Fact]
    public async Task MembershipInAnotherTenantGivesNoRoleHere()
    {
        var home = await App.CreateTenantAsync();
        var other = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(home);
        await App.SetRoleAsync(other, user.Uid, Roles.Admin);

        var me = await App.ClientWithBearer(user.IdToken).GetFromJsonAsync<JsonElement>("/api/v1/me");

        Assert.Equal(home, me.GetProperty("tenant_id").GetGuid());
        Assert.Equal("candidate", me.GetProperty("role").GetString());
    }

    [Fact]
    public async Task VerifiedUserWithoutTenantClaimIsForbidden()
    {
        var user = await App.SignUpAsync(tenantId: null);

        var response = await App.ClientWithBearer(user.IdToken).GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TenantClaimNamingAnUnknownTenantIsForbidden()
    {
        var user = await App.SignUpAsync(Guid.CreateVersion7());

        var response = await App.ClientWithBearer(user.IdToken).GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task NoCredentialIsUnauthorizedWithChallenge()
    {
        var response = await App.Client.GetAsync("/api/v1/me");

        await AssertUnauthorizedAsync(response);
    }

    [Theory]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer a.b.c")]
    public async Task MalformedAuthorizationIsUnauthorized(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.TryAddWithoutValidation("Authorization", header);

        await AssertUnauthorizedAsync(await App.Client.SendAsync(request));
    }

    [Fact]
    public async Task OversizeTokenIsUnauthorizedNotAServerError()
    {
        var huge = "eyJhbGciOiJub25lIn0." + new string('A', 20_000) + ".";

        await AssertUnauthorizedAsync(await App.ClientWithBearer(huge).GetAsync("/api/v1/me"));
    }

    [Fact]
    public async Task BothCredentialsAtOnceAreUnauthorized()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant);
        var client = App.ClientWithBearer(user.IdToken);
        client.DefaultRequestHeaders.Add(CredentialAuthenticationHandler.GuestTokenHeader, "lpg_whatever");

        await AssertUnauthorizedAsync(await client.GetAsync("/api/v1/me"));
    }

    [Fact]
    public async Task TokensNeverReachTheLogs()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant);
        await App.ClientWithBearer(user.IdToken).GetAsync("/api/v1/me");
        var forged = user.IdToken[..^4] + "AAAA";
        await App.ClientWithBearer(forged).GetAsync("/api/v1/me");
        await App.ClientWithGuestToken("lpg_" + new string('Q', 43)).GetAsync("/api/v1/me");

        var logs = App.Logs.All;
        Assert.Contains("Credential rejected", logs, StringComparison.Ordinal);
        foreach (var secret in new[] { user.IdToken, user.IdToken.Split('.')[1], forged, "lpg_" + new string('Q', 43) })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    internal static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"learnplatform\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("A valid credential is required.", problem.GetProperty("detail").GetString());
    }
}
