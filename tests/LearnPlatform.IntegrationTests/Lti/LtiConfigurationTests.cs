using System.Security.Cryptography;
using LearnPlatform.Api;

namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>LTI is off without its settings (every route answers 503); half of them, or an unusable key, stop start-up.</summary>
public sealed class LtiConfigurationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task WithoutTheToolKeyEveryLtiRouteAnswers503()
    {
        var client = fixture.App.Client;
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["id_token"] = "x", ["state"] = "y" });

        HttpResponseMessage[] responses =
        [
            await client.GetAsync("/lti/jwks"),
            await client.GetAsync("/lti/login?iss=https%3A%2F%2Flms.example.test&login_hint=u&target_link_uri=https%3A%2F%2Ft"),
            await client.PostAsync("/lti/launch", form),
            await client.PostAsJsonAsync("/api/v1/lti/exchange", new { code = "some-code" }),
            await client.PostAsJsonAsync("/api/v1/lti/deep-linking", new { deep_linking_token = "some-token", paper_id = Guid.NewGuid() }),
        ];

        foreach (var response in responses)
        {
            using (response)
            {
                await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            }
        }
    }

    [Theory]
    [InlineData("Lti:ToolPrivateKey")]
    [InlineData("Lti:FrontendUrl")]
    public async Task HalfOfTheSettingsStopStartUp(string missing)
    {
        var error = await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(settings =>
        {
            LtiFixture.Configure(settings);
            settings[missing] = null;
        }));

        Assert.Contains("together", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AToolKeyThatIsNotAnRsaPrivateKeyStopsStartUp()
    {
        using var ecdsa = ECDsa.Create();

        var error = await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(settings =>
        {
            LtiFixture.Configure(settings);
            settings["Lti:ToolPrivateKey"] = ecdsa.ExportPkcs8PrivateKeyPem();
        }));

        Assert.Contains("Lti:ToolPrivateKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
    }
}
