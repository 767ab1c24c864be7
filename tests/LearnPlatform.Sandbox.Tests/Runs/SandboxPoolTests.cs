using System.Globalization;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Tests.Infrastructure;

namespace LearnPlatform.Sandbox.Tests.Runs;

/// <summary>
/// Sandboxes started ahead of requests: each runs one program and is destroyed; the wall clock starts at handover;
/// one that dies while it waits is replaced; they die with the service and never let more programs run than slots.
/// </summary>
[Collection(SandboxHostsDefinition.Name)]
public sealed class SandboxPoolTests(SandboxHosts hosts)
{
    /// <summary>Python and JavaScript each.</summary>
    private const int Waiting = SandboxHosts.WarmRuns * 2;

    /// <summary>Long enough for a started sandbox (gVisor's boot included) to be waiting for its input.</summary>
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(3);

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task AWaitingSandboxRunsOneProgramAndIsNeverReused(string backend)
    {
        var service = hosts[backend].ProcessId;
        var name = $"lp-pool-{Guid.NewGuid():N}";
        var beforeFirst = await SandboxProcesses.WaitForAsync(service, Waiting, Settled);
        var first = await hosts.RunAsync(backend,
            $"with open('/tmp/{name}', 'w') as f:\n    f.write('left behind')\nwith open('/work/{name}', 'w') as f:\n    f.write('left behind')\n", ("1", "1"));
        var beforeSecond = await SandboxProcesses.WaitForAsync(service, Waiting, Settled);
        var second = await hosts.RunAsync(backend, "import os\n", ($"os.path.exists('/tmp/{name}')", "False"), ($"os.path.exists('/work/{name}')", "False"));
        var after = SandboxProcesses.Of(service);

        Assert.Equal(RunStatus.Passed, first.Status);
        Assert.Equal(RunStatus.Passed, second.Status);
        // Each run took a sandbox that was waiting before it, and that sandbox is gone after it.
        Assert.Single(beforeFirst.Except(beforeSecond));
        Assert.Single(beforeSecond.Except(after));
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task ASandboxThatWaitedLongerThanTheTimeLimitStillRunsAFastProgram(string backend)
    {
        var service = hosts[backend].ProcessId;
        var waiting = await SandboxProcesses.WaitForAsync(service, Waiting, Settled);
        // Longer than the default time limit and its allowance: the wall clock starts at the handover, not at the start.
        await Task.Delay(TimeSpan.FromMilliseconds(SandboxOptions.DefaultTimeMs) + TimeSpan.FromSeconds(2));
        var stillWaiting = waiting.All(SandboxProcesses.Alive);

        var result = await hosts.RunAsync(backend, "def add(a, b):\n    return a + b\n", ("add(2, 3)", "5"));

        Assert.True(stillWaiting);
        Assert.Equal(RunStatus.Passed, result.Status);
        Assert.Single(waiting.Except(SandboxProcesses.Of(service)));
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task WaitingSandboxesKilledFromOutsideAreReplacedAndRequestsStillSucceed(string backend)
    {
        var service = hosts[backend].ProcessId;
        var killed = await SandboxProcesses.WaitForAsync(service, Waiting, Settled);
        foreach (var pid in killed)
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
        for (var waited = 0; waited < 100 && killed.Any(SandboxProcesses.Alive); waited++)
        {
            await Task.Delay(100);
        }

        var result = await hosts.RunAsync(backend, "x = 6 * 7\n", ("x", "42"));
        var replaced = await SandboxProcesses.WaitForAsync(service, Waiting, Settled);

        Assert.Equal(RunStatus.Passed, result.Status);
        Assert.Empty(replaced.Intersect(killed));
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task WaitingSandboxesDieWithTheService(string backend)
    {
        await using var host = await SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox__Isolation"] = backend,
            ["Sandbox__WarmRuns"] = "1",
        });
        var waiting = await SandboxProcesses.WaitForAsync(host.ProcessId, 2, Settled);

        await host.KillServiceAloneAsync();
        for (var waited = 0; waited < 200 && waiting.Any(SandboxProcesses.Alive); waited++)
        {
            await Task.Delay(100);
        }

        Assert.DoesNotContain(waiting, SandboxProcesses.Alive);
    }

    [Fact]
    public async Task WaitingSandboxesNeverLetMoreProgramsRunThanSlots()
    {
        await using var host = await SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox__MaxConcurrentRuns"] = "1",
            ["Sandbox__WarmRuns"] = "3",
        });
        await SandboxProcesses.WaitForAsync(host.ProcessId, 6, Settled);
        var request = new RunRequest(RunLanguages.Python, "import time\nstart = time.time()\ntime.sleep(0.5)\nend = time.time()\n", [new RunTest("(start, end)", "-")]);

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => host.Client.RunAsync(request)));

        var spans = results.Select(r => r.Tests[0].Actual!.Trim('(', ')').Split(", ").Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray())
            .OrderBy(span => span[0]).ToList();
        Assert.Equal(3, spans.Count);
        Assert.All(spans.Zip(spans.Skip(1)), pair => Assert.True(pair.First[1] <= pair.Second[0], $"runs overlapped: {pair.First[1]} > {pair.Second[0]}"));
    }
}
