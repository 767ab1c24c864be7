using System.Net;
using System.Text.Json;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Tests.Infrastructure;

namespace LearnPlatform.Sandbox.Tests.Runs;

[Collection(SandboxHostsDefinition.Name)]
public sealed class ConcurrencyTests(SandboxHosts hosts)
{
    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task TwentyParallelRunsAllGetTheirOwnCorrectResults(string backend)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            hosts.RunAsync(backend, $"import os\nmine = {i}\nwith open('/tmp/n', 'w') as f:\n    f.write(str(mine))\ndef read():\n    return int(open('/tmp/n').read()) * 2\n",
                ("read()", (i * 2).ToString(System.Globalization.CultureInfo.InvariantCulture)), ("mine", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

        Assert.All(results, r => Assert.Equal(RunStatus.Passed, r.Status));
    }

    [Fact]
    public async Task AFullQueueIsAnswered503WithRetryAfter()
    {
        await using var host = await SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox__MaxConcurrentRuns"] = "1",
            ["Sandbox__QueueLimit"] = "1",
            ["Sandbox__RetryAfterSeconds"] = "3",
        });
        const string slow = """{"language": "python", "code": "import time\ntime.sleep(2)", "tests": []}""";

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => host.Http.SendAsync(host.RunRequest(slow))));

        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
    }
}
