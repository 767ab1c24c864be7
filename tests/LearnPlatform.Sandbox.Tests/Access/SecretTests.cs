using System.Net;
using System.Text.Json;
using LearnPlatform.Sandbox.Tests.Infrastructure;

namespace LearnPlatform.Sandbox.Tests.Access;

[Collection(SandboxHostsDefinition.Name)]
public sealed class SecretTests(SandboxHosts hosts)
{
    private const string Run = """{"language": "python", "code": "x = 1", "tests": [{"call": "x", "expected": "1"}]}""";

    [Fact]
    public async Task WithoutTheSecretARunIsRefused401AndTheCallerLogged()
    {
        var host = hosts[SandboxHosts.Bubblewrap];
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/runs") { Content = new StringContent(Run, System.Text.Encoding.UTF8, "application/json") };

        using var response = await host.Http.SendAsync(request);

        await AssertUnauthorizedAsync(response);
        Assert.Contains("from 127.0.0.1: no X-Sandbox-Secret header", await host.LogWithAsync("no X-Sandbox-Secret header"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongSecretIsRefused401AndNeverLogged()
    {
        var host = hosts[SandboxHosts.Bubblewrap];
        var wrong = SandboxHost.NewSecret();

        using var response = await host.Http.SendAsync(host.RunRequest(Run, wrong));

        await AssertUnauthorizedAsync(response);
        Assert.Contains("from 127.0.0.1: wrong X-Sandbox-Secret", await host.LogWithAsync("wrong X-Sandbox-Secret"), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, host.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Secret, host.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSecretIsCheckedBeforeTheBody()
    {
        var host = hosts[SandboxHosts.Bubblewrap];

        using var response = await host.Http.SendAsync(host.RunRequest("{not json", SandboxHost.NewSecret()));

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task HealthNeedsNoSecret()
    {
        using var response = await hosts[SandboxHosts.Bubblewrap].Http.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null, "Sandbox__Secret is not set")]
    [InlineData("", "Sandbox__Secret is not set")]
    [InlineData("only-31-characters-long-secret!", "Sandbox__Secret is shorter than 32 characters")]
    public async Task TheServiceRefusesToStartWithoutAGoodSecret(string? secret, string expected)
    {
        var (exitCode, stdout, stderr) = await SandboxHost.RunToExitAsync(new Dictionary<string, string?> { ["Sandbox__Secret"] = secret });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {expected}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheServiceRefusesToStartWithAnUnknownBackend()
    {
        var (exitCode, _, stderr) = await SandboxHost.RunToExitAsync(new Dictionary<string, string?>
        {
            ["Sandbox__Secret"] = SandboxHost.NewSecret(),
            ["Sandbox__Isolation"] = "none",
        });

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: Sandbox__Isolation=none is not a backend", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSecretMayComeFromAMountedFile()
    {
        var file = Path.GetTempFileName();
        var secret = SandboxHost.NewSecret();
        await File.WriteAllTextAsync(file, secret + "\n");
        try
        {
            await using var host = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox__Secret"] = "", ["Sandbox__SecretFile"] = file }, waitUntilReady: false);

            using var accepted = await host.Http.SendAsync(host.RunRequest(Run, secret));
            using var refused = await host.Http.SendAsync(host.RunRequest(Run, SandboxHost.NewSecret()));

            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
    }
}
