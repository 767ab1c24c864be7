using System.Net;
using System.Text.Json;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Tests.Infrastructure;

namespace LearnPlatform.Sandbox.Tests.Health;

/// <summary>Ready only when a trivial program runs through the real isolation; otherwise one line says why, and nothing runs.</summary>
[Collection(SandboxHostsDefinition.Name)]
public sealed class ReadinessTests(SandboxHosts hosts)
{
    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task AWorkingBackendIsReady(string backend)
    {
        using var response = await hosts[backend].Http.GetAsync("readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("bubblewrap", "Sandbox__BubblewrapPath", "/nonexistent/bwrap", "bubblewrap: bubblewrap not found at /nonexistent/bwrap")]
    [InlineData("gvisor", "Sandbox__RunscPath", "/nonexistent/runsc", "gvisor: runsc not found at /nonexistent/runsc")]
    [InlineData("bubblewrap", "Sandbox__PythonPath", "/nonexistent/python3", "bubblewrap: python3 (Sandbox__PythonPath) not found at /nonexistent/python3")]
    // An isolation that fails before the program starts (as bubblewrap does inside an old gVisor) is the service's fault, never the program's.
    [InlineData("bubblewrap", "Sandbox__BubblewrapPath", "/usr/bin/false", "bubblewrap: the bubblewrap isolation failed before the program started (exit code 1)")]
    [InlineData("gvisor", "Sandbox__RunscPath", "/usr/bin/false", "gvisor: the gvisor isolation failed before the program started (exit code 1)")]
    public async Task AnUnusableBackendIsNotReadyAndSaysWhy(string backend, string setting, string value, string reason)
    {
        await using var host = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox__Isolation"] = backend, [setting] = value }, waitUntilReady: false);

        using var ready = await host.Http.GetAsync("readyz");
        using var health = await host.Http.GetAsync("healthz");
        var run = await Assert.ThrowsAsync<SandboxUnavailableException>(() =>
            host.Client.RunAsync(new RunRequest(RunLanguages.Python, "x = 1", [new RunTest("x", "1")])));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("not_ready", body.RootElement.GetProperty("status").GetString());
        var said = body.RootElement.GetProperty("reason").GetString()!;
        Assert.StartsWith(reason, said, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', said);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains($"Not ready: {reason}", await host.LogWithAsync($"Not ready: {reason}"), StringComparison.Ordinal);
    }
}
