using LearnPlatform.LocalDev;

namespace LearnPlatform.IntegrationTests.Infrastructure;

/// <summary>One real Firebase Auth Emulator per test run, on a free loopback port.</summary>
public static class TestEmulator
{
    public const string ProjectId = "demo-learnplatform-test";
    private static readonly Lazy<Task<AuthEmulator>> Shared = new(StartAsync);

    public static Task<AuthEmulator> InstanceAsync() => Shared.Value;

    private static async Task<AuthEmulator> StartAsync()
    {
        var root = RepositoryRoot.Find() ?? throw new InvalidOperationException("run the tests from the repository");
        var cli = AuthEmulator.FindCli(root)
            ?? throw new InvalidOperationException("The Firebase Auth Emulator is required: install Node.js and run `npm ci` in the repository root (make test does).");
        // The emulator ends with the test process (see AuthEmulator); nothing to dispose here.
        return await AuthEmulator.StartAsync(cli, ProjectId, FreePort.Next());
    }
}
