using LearnPlatform.Api;
using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Webhooks;

/// <summary>Without Webhooks:SecretKey no endpoint can be created; a key that is not 32 bytes stops start-up.</summary>
public sealed class WebhookConfigurationTests
{
    [Fact]
    public async Task WithoutASecretKeyCreatingAnEndpointIsA503()
    {
        await using var app = await TestApp.StartAsync();
        var tenant = await app.CreateTenantAsync();
        var admin = app.ClientWithBearer((await app.SignUpAsync(tenant, Roles.Admin)).IdToken);

        var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://203.0.113.10/hook", events = new[] { "session.graded" } });

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Webhooks__SecretKey", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/webhooks")).StatusCode);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public async Task ASecretKeyThatIsNot32BytesStopsStartUp(string key)
    {
        var error = await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(settings => settings["Webhooks:SecretKey"] = key));

        Assert.Contains("Webhooks__SecretKey must be base64 of 32 random bytes", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
    }
}
