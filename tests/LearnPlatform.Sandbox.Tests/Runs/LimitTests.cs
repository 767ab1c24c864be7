using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Tests.Infrastructure;

namespace LearnPlatform.Sandbox.Tests.Runs;

/// <summary>Time, memory, processes and output are bounded by the host; a run that passes one fails with the reason.</summary>
[Collection(SandboxHostsDefinition.Name)]
public sealed class LimitTests(SandboxHosts hosts)
{
    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task EndlessLoopStopsAtTheTimeLimitAndKeepsEarlierResults(string backend)
    {
        var result = await hosts.RunAsync(backend, RunLanguages.Python, "def ok():\n    return 1\ndef spin():\n    while True:\n        pass\n",
            new RunLimits(TimeMs: 1000), ("ok()", "1"), ("spin()", "1"), ("ok()", "1"));

        Assert.Equal(RunStatus.Timeout, result.Status);
        Assert.True(result.Tests[0].Passed);
        Assert.Equal("time limit exceeded", result.Tests[1].Error);
        Assert.Equal("time limit exceeded", result.Tests[2].Error);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task EndlessLoopAtModuleLevelStopsAtTheTimeLimit(string backend)
    {
        var result = await hosts.RunAsync(backend, RunLanguages.Python, "while True: pass", new RunLimits(TimeMs: 1000), ("1", "1"));

        Assert.Equal(RunStatus.Timeout, result.Status);
        Assert.Equal("time limit exceeded", result.Tests[0].Error);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task AllocatingTwoGibibytesHitsTheMemoryLimit(string backend)
    {
        var result = await hosts.RunAsync(backend, "def grab():\n    block = bytearray(2 * 1024 ** 3)\n    return len(block)\n", ("grab()", "2147483648"));

        Assert.Equal(RunStatus.MemoryLimit, result.Status);
        Assert.StartsWith("memory limit exceeded", result.Tests[0].Error, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task GrowingAListPastTheLimitHitsTheMemoryLimit(string backend)
    {
        var result = await hosts.RunAsync(backend, "items = []\nwhile True:\n    items.append('x' * 1024 * 1024)\n", ("len(items)", "0"));

        Assert.Equal(RunStatus.MemoryLimit, result.Status);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task JavaScriptHeapPastTheLimitHitsTheMemoryLimit(string backend)
    {
        var result = await hosts.RunAsync(backend, RunLanguages.JavaScript, "const items = []; while (true) { items.push(new Array(1 << 20).fill(1)); }",
            new RunLimits(TimeMs: 10_000, MemoryMb: 64), ("items.length", "0"));

        Assert.Equal(RunStatus.MemoryLimit, result.Status);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task ForkBombIsContainedWhileOtherRunsSucceed(string backend)
    {
        const string bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n";
        var bombing = hosts.RunAsync(backend, RunLanguages.Python, bomb, new RunLimits(TimeMs: 4000), ("1", "1"));
        await Task.Delay(500);

        var others = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            hosts.RunAsync(backend, "import os\ndef spawn():\n    pid = os.fork()\n    if pid == 0:\n        os._exit(7)\n    return os.waitpid(pid, 0)[1] >> 8\n", ("spawn()", "7"))));

        Assert.All(others, r => Assert.Equal(RunStatus.Passed, r.Status));
        var bombed = await bombing;
        Assert.Contains(bombed.Status, new[] { RunStatus.Timeout, RunStatus.Error });
        Assert.False(bombed.Tests[0].Passed);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task ThreadsCountTowardTheProcessLimit(string backend)
    {
        var result = await hosts.RunAsync(backend,
            "import threading, time\ndef spawn():\n    started = 0\n    try:\n        for _ in range(500):\n            threading.Thread(target=time.sleep, args=(2,), daemon=True).start()\n            started += 1\n    except RuntimeError:\n        pass\n    return started < 100\n",
            ("spawn()", "True"));

        Assert.Equal(RunStatus.Passed, result.Status);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task PrintingAHundredMebibytesIsCutAtTheOutputLimit(string backend)
    {
        var result = await hosts.RunAsync(backend, "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * (1024 * 1024))\n", ("1", "1"));

        Assert.Equal(RunStatus.OutputLimit, result.Status);
        Assert.Equal("output limit exceeded", result.Tests[0].Error);
        Assert.Equal(RunResult.MaxOutputChars, result.Stdout.Length);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task FloodingStderrIsCutAtTheOutputLimit(string backend)
    {
        var result = await hosts.RunAsync(backend, "import sys\nwhile True:\n    sys.stderr.write('e' * 65536)\n", ("1", "1"));

        Assert.Equal(RunStatus.OutputLimit, result.Status);
        Assert.Equal(RunResult.MaxOutputChars, result.Stderr.Length);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task LargeFilesStopAtTheFileSizeLimit(string backend)
    {
        var result = await hosts.RunAsync(backend,
            "def write():\n    try:\n        with open('/tmp/big', 'wb') as f:\n            f.write(b'x' * (8 * 1024 * 1024))\n        return 'written'\n    except OSError as e:\n        return type(e).__name__\n",
            ("write()", "'OSError'"));

        Assert.Equal(RunStatus.Passed, result.Status);
    }
}
