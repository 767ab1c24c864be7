using LearnPlatform.Sandbox.Client;

namespace LearnPlatform.Sandbox.Tests.Infrastructure;

/// <summary>One running sandbox host per isolation backend, shared by the tests of the collection.</summary>
public sealed class SandboxHosts : IAsyncLifetime
{
    public const string Bubblewrap = "bubblewrap";
    public const string Gvisor = "gvisor";

    /// <summary>Every backend; both work on these machines (as root), so each behaviour is tested on both.</summary>
    public static TheoryData<string> Backends => [Bubblewrap, Gvisor];

    /// <summary>Sandboxes per language each host starts ahead of requests (Python and JavaScript).</summary>
    public const int WarmRuns = 2;

    /// <summary>An environment variable of the service that no run may see.</summary>
    public string Canary { get; } = $"canary-{Guid.NewGuid():N}";

    private readonly Dictionary<string, SandboxHost> hosts = [];

    public SandboxHost this[string backend] => hosts[backend];

    public async Task InitializeAsync()
    {
        var started = await Task.WhenAll(new[] { Bubblewrap, Gvisor }.Select(backend => SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox__Isolation"] = backend,
            ["Sandbox__MaxConcurrentRuns"] = "4",
            ["Sandbox__QueueLimit"] = "64",
            ["Sandbox__WarmRuns"] = WarmRuns.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SANDBOX_TEST_CANARY"] = Canary,
        })));
        hosts[Bubblewrap] = started[0];
        hosts[Gvisor] = started[1];
    }

    public async Task DisposeAsync()
    {
        foreach (var host in hosts.Values)
        {
            await host.DisposeAsync();
        }
    }

    public Task<RunResult> RunAsync(string backend, string code, params (string Call, string Expected)[] tests) =>
        RunAsync(backend, RunLanguages.Python, code, null, tests);

    public Task<RunResult> RunAsync(string backend, string language, string code, RunLimits? limits, params (string Call, string Expected)[] tests) =>
        this[backend].Client.RunAsync(new RunRequest(language, code, [.. tests.Select(t => new RunTest(t.Call, t.Expected))], limits));
}

[CollectionDefinition(Name)]
public sealed class SandboxHostsDefinition : ICollectionFixture<SandboxHosts>
{
    public const string Name = "sandbox hosts";
}
