using LearnPlatform.LocalDev;

namespace LearnPlatform.IntegrationTests.Hosts;

/// <summary>Something missing at start-up gets one clear line on stderr and exit code 1, never a stack trace.</summary>
public sealed class StartupErrorTests
{
    private static async Task<string> FailsWithOneLineAsync(IDictionary<string, string?> environment, string expected, string host = "LearnPlatform.Api")
    {
        await using var api = HostProcess.Start(host, environment);

        Assert.Equal(1, await api.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var lines = api.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", api.Output + api.Error, StringComparison.Ordinal);
        return line;
    }

    [Fact]
    public Task LocalRunWithoutPostgresBinaries() =>
        FailsWithOneLineAsync(new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["PG_BIN"] = "/nonexistent/postgres/bin" }, "does not contain initdb and pg_ctl", "LearnPlatform.LocalDev");

    [Fact]
    public Task TheApiHostStartsNoLocalEnvironmentEvenInDevelopment() =>
        FailsWithOneLineAsync(new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["PG_BIN"] = "/nonexistent/postgres/bin" }, "ConnectionStrings__Postgres is not set");

    [Fact]
    public Task ProductionWithoutAConnectionString() =>
        FailsWithOneLineAsync(new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, "ConnectionStrings__Postgres is not set");

    [Fact]
    public async Task EmulatorModeIsRefusedInProduction()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();

        await FailsWithOneLineAsync(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Postgres"] = database.AppConnectionString,
            ["Firebase__ProjectId"] = "demo-project",
            ["FIREBASE_AUTH_EMULATOR_HOST"] = "127.0.0.1:9099",
        }, "FIREBASE_AUTH_EMULATOR_HOST");
    }

    [Fact]
    public async Task PortInUse()
    {
        var database = await (await TestPostgres.InstanceAsync()).CreateDatabaseAsync();
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        await FailsWithOneLineAsync(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Postgres"] = database.AppConnectionString,
            ["Firebase__ProjectId"] = "demo-project",
        }, "in use");
    }

    [Fact]
    public async Task EmulatorPortInUseIsAClearError()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<LocalRunException>(() => AuthEmulator.StartAsync("unused.js", "demo-x", port));

        Assert.Contains($"Port {port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmulatorThatCannotStartIsAClearError()
    {
        var error = await Assert.ThrowsAsync<LocalRunException>(() => AuthEmulator.StartAsync("/nonexistent/firebase.js", "demo-x", FreePort.Next()));

        Assert.StartsWith("The Firebase Auth Emulator failed to start", error.Message, StringComparison.Ordinal);
    }
}
