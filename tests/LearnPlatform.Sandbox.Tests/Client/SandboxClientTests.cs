using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LearnPlatform.Sandbox.Tests.Client;

/// <summary>The client tells what a retry can fix (unreachable, busy, too slow) from what it cannot.</summary>
[Collection(SandboxHostsDefinition.Name)]
public sealed class SandboxClientTests(SandboxHosts hosts)
{
    private static readonly RunRequest Trivial = new(RunLanguages.Python, "x = 1", [new RunTest("x", "1")]);

    [Fact]
    public async Task AnUnreachableServiceIsTransient()
    {
        await using var services = SandboxHost.ClientServices(new Uri($"http://127.0.0.1:{SandboxHost.FreePort()}/"), SandboxHost.NewSecret(), TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<SandboxUnavailableException>(() => services.GetRequiredService<SandboxClient>().RunAsync(Trivial));
    }

    [Fact]
    public async Task AServiceTooSlowToAnswerIsTransient()
    {
        var host = hosts[SandboxHosts.Bubblewrap];
        await using var services = SandboxHost.ClientServices(host.BaseUrl, host.Secret, TimeSpan.FromMilliseconds(300));
        var slow = new RunRequest(RunLanguages.Python, "import time\ntime.sleep(3)", []);

        await Assert.ThrowsAsync<SandboxUnavailableException>(() => services.GetRequiredService<SandboxClient>().RunAsync(slow));
    }

    [Fact]
    public async Task AWrongSecretIsPermanent()
    {
        var host = hosts[SandboxHosts.Bubblewrap];
        await using var services = SandboxHost.ClientServices(host.BaseUrl, SandboxHost.NewSecret(), TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<SandboxRequestException>(() => services.GetRequiredService<SandboxClient>().RunAsync(Trivial));

        Assert.Equal(401, error.StatusCode);
    }

    [Fact]
    public async Task AnInvalidRequestIsPermanent()
    {
        var error = await Assert.ThrowsAsync<SandboxRequestException>(() =>
            hosts[SandboxHosts.Bubblewrap].Client.RunAsync(Trivial with { Language = "cobol" }));

        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public async Task ABusyServiceIsTransientWithItsRetryAfter()
    {
        await using var host = await SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox__MaxConcurrentRuns"] = "1",
            ["Sandbox__QueueLimit"] = "0",
            ["Sandbox__RetryAfterSeconds"] = "7",
        });
        var holding = host.Client.RunAsync(new RunRequest(RunLanguages.Python, "import time\ntime.sleep(3)", []));
        await Task.Delay(1000);

        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => host.Client.RunAsync(Trivial));

        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal(RunStatus.Passed, (await holding).Status);
    }

    [Fact]
    public async Task AClientWithoutSettingsSaysSo()
    {
        await using var services = new ServiceCollection()
            .AddSandboxClient(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build())
            .BuildServiceProvider();
        var client = services.GetRequiredService<SandboxClient>();

        Assert.False(client.IsConfigured);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.RunAsync(Trivial));
    }
}
