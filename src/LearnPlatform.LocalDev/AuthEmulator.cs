using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace LearnPlatform.LocalDev;

/// <summary>
/// The Firebase Auth Emulator (firebase-tools, pinned in the repository's package.json) as a child process.
/// Used by the local run and by the integration tests; stopping it kills its whole process tree.
/// </summary>
public sealed class AuthEmulator : IAsyncDisposable
{
    private readonly Process process;

    private AuthEmulator(Process process, string projectId, int port)
    {
        this.process = process;
        ProjectId = projectId;
        Port = port;
    }

    public string ProjectId { get; }
    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";
    public Uri BaseUri => new($"http://{Host}/");

    public static string? FindCli(string repositoryRoot)
    {
        var cli = Path.Combine(repositoryRoot, "node_modules", "firebase-tools", "lib", "bin", "firebase.js");
        return File.Exists(cli) && NodeIsInstalled() ? cli : null;
    }

    public static async Task<AuthEmulator> StartAsync(string cli, string projectId, int port, CancellationToken ct = default)
    {
        if (!PortIsFree(port))
        {
            throw new LocalRunException($"Port {port} for the Firebase Auth Emulator is in use: stop whatever holds it, or set FIREBASE_AUTH_EMULATOR_HOST to an emulator you run yourself.");
        }

        var workDirectory = Directory.CreateTempSubdirectory("learnplatform-auth-emulator-").FullName;
        var config = Path.Combine(workDirectory, "firebase.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            emulators = new { auth = new { host = "127.0.0.1", port }, ui = new { enabled = false }, logging = new { level = "WARN" } },
        }), ct);

        // Node runs under a shell that kills it when our end of its input pipe closes: when this process
        // ends, however it ends, the emulator ends too.
        var start = new ProcessStartInfo("sh")
        {
            WorkingDirectory = workDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        const string script = """
            trap '' INT; dir=$1; shift; exec 3<&0
            node "$@" </dev/null 3<&- & child=$!
            ( cat <&3 >/dev/null; kill $child 2>/dev/null ) &
            wait $child; status=$?
            rm -rf "$dir"; exit $status
            """;
        string[] arguments = ["-c", script, "emulator", workDirectory,
            cli, "emulators:start", "--only", "auth", "--project", projectId, "--config", config];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["NO_UPDATE_NOTIFIER"] = "1";
        start.Environment["FIREBASE_CLI_DISABLE_UPDATE_CHECK"] = "true";

        var process = Process.Start(start) ?? throw new LocalRunException("The Firebase Auth Emulator could not be started (node failed to launch).");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var emulator = new AuthEmulator(process, projectId, port);
        try
        {
            await emulator.WaitUntilReadyAsync(ct);
        }
        catch (LocalRunException)
        {
            await emulator.DisposeAsync();
            string lastLine;
            lock (output)
            {
                lastLine = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
            }
            throw new LocalRunException($"The Firebase Auth Emulator failed to start: {lastLine}");
        }
        return emulator;
    }

    private async Task WaitUntilReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(2) };
        // The emulator (firebase-tools under node) took 144 s to answer on 2 cores shared by several test runs; a crash is caught
        // at once by HasExited, so a long deadline only waits on a slow start.
        var deadline = DateTime.UtcNow.AddSeconds(240);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new LocalRunException("exited");
            }
            try
            {
                var status = await http.GetFromJsonAsync<JsonElement>("", ct);
                if (status.TryGetProperty("authEmulator", out var auth) && auth.GetProperty("ready").GetBoolean())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            await Task.Delay(250, ct);
        }
        throw new LocalRunException("timed out");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        process.Dispose();
    }

    private static bool NodeIsInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "node")));

    internal static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

public sealed class LocalRunException(string message) : Exception(message);
