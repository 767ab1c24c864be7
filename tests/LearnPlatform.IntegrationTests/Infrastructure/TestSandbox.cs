using LearnPlatform.LocalDev;

namespace LearnPlatform.IntegrationTests.Infrastructure;

/// <summary>One real code sandbox per test run (bubblewrap isolation), started the way `make run` starts it.</summary>
public static class TestSandbox
{
    private static readonly Lazy<Task<LocalSandbox>> Shared = new(() => LocalSandbox.StartAsync(
        RepositoryRoot.Find() ?? throw new InvalidOperationException("run the tests from the repository"),
        Path.Combine(Path.GetTempPath(), $"learnplatform-test-sandbox-{Environment.ProcessId}.log"),
        CancellationToken.None));

    /// <summary>The sandbox ends with the test process (see LocalSandbox); nothing to dispose here.</summary>
    public static Task<LocalSandbox> InstanceAsync() => Shared.Value;

    /// <summary>Settings that point an app at <paramref name="baseUrl"/> with the sandbox's secret.</summary>
    public static async Task<Action<Dictionary<string, string?>>> SettingsAsync(Uri? baseUrl = null)
    {
        var sandbox = await InstanceAsync();
        return settings =>
        {
            settings["Sandbox:BaseUrl"] = (baseUrl ?? sandbox.BaseUrl).ToString();
            settings["Sandbox:Secret"] = sandbox.Secret;
        };
    }
}

/// <summary>An app that grades and runs code in the test run's sandbox.</summary>
public sealed class SandboxAppFixture : AppFixture
{
    public override async Task InitializeAsync() => App = await TestApp.StartAsync(await TestSandbox.SettingsAsync());
}
