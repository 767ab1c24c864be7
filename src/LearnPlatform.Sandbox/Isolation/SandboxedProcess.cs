using System.Diagnostics;
using System.Text;

namespace LearnPlatform.Sandbox.Isolation;

internal enum StopReason
{
    /// <summary>It ended by itself.</summary>
    None,
    WallTime,
    Output,
}

/// <summary>What the sandboxed process left: its output (at most the limit of each stream), how it ended, and why it was stopped.</summary>
internal sealed record ProcessOutcome(byte[] Stdout, byte[] Stderr, int ExitCode, StopReason Stopped, TimeSpan Elapsed, bool OutOfMemory = false);

/// <summary>
/// One isolated process, used for exactly one run. It is started with its limits in force and its harness loaded,
/// and counts as started once the harness says it waits for its input (<see cref="ReadyLine"/>). Handing the input
/// over starts the wall clock; the whole process tree is killed at the wall-time limit or when an output stream
/// passes its limit, and disposing kills whatever is left and removes the sandbox's resources.
/// </summary>
internal sealed class SandboxedProcess : IAsyncDisposable
{
    /// <summary>The harness's first output, before it reads stdin; none of the program exists in the sandbox yet.</summary>
    public static readonly byte[] ReadyLine = "learnplatform-sandbox-ready\n"u8.ToArray();

    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromSeconds(2);

    private readonly Process process;
    private readonly SandboxLaunch launch;
    private readonly string backend;
    private readonly CancellationTokenSource overflow = new();
    private readonly Task<byte[]> stderr;
    private int handedOver;

    private SandboxedProcess(Process process, SandboxLaunch launch, string backend, long stderrLimit)
    {
        this.process = process;
        this.launch = launch;
        this.backend = backend;
        stderr = ReadAsync(process.StandardError.BaseStream, stderrLimit, overflow);
        Exited = process.WaitForExitAsync();
    }

    public SandboxShape Shape => launch.Shape;

    /// <summary>When its harness was ready.</summary>
    public DateTimeOffset ReadyAt { get; private set; }

    /// <summary>Completes when the sandbox's process has ended, for whatever reason.</summary>
    public Task Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    /// <summary>Starts the sandbox and waits until its harness waits for input.</summary>
    /// <exception cref="RuntimeUnavailableException">It could not start, or ended or stalled before its harness was ready.</exception>
    public static async Task<SandboxedProcess> StartAsync(SandboxLauncher launcher, SandboxLaunch launch, string backend, long stderrLimit, CancellationToken cancellationToken)
    {
        var start = launch.Start;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Process process;
        try
        {
            process = await launcher.StartAsync(start);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or ObjectDisposedException)
        {
            await launch.ReleaseAsync();
            throw new RuntimeUnavailableException($"{backend} cannot be started: {e.Message}");
        }
        var sandbox = new SandboxedProcess(process, launch, backend, stderrLimit);
        try
        {
            await sandbox.WaitUntilReadyAsync(cancellationToken);
            return sandbox;
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var boot = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        boot.CancelAfter(launch.BootLimit);
        var seen = new byte[ReadyLine.Length];
        var read = 0;
        try
        {
            int count;
            while (read < seen.Length && (count = await process.StandardOutput.BaseStream.ReadAsync(seen.AsMemory(read), boot.Token)) > 0)
            {
                read += count;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw await FailedAsync($"no start within {launch.BootLimit.TotalSeconds:0} s");
        }
        if (read < seen.Length || !seen.AsSpan().SequenceEqual(ReadyLine))
        {
            // Its stdout ended (or said something else): let it finish, so its exit code tells what happened.
            await Task.WhenAny(Exited, Task.Delay(DrainAfterExit, CancellationToken.None));
            throw await FailedAsync(HasExited ? $"exit code {process.ExitCode}" : "an unexpected first output");
        }
        ReadyAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The isolation or the runtime failed before any program existed in the sandbox: the service's fault.</summary>
    private async Task<RuntimeUnavailableException> FailedAsync(string how)
    {
        KillTree();
        await Task.WhenAny(stderr, Task.Delay(DrainAfterExit, CancellationToken.None));
        var said = stderr.IsCompletedSuccessfully
            ? Encoding.UTF8.GetString(stderr.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            : null;
        return new RuntimeUnavailableException($"the {backend} isolation failed before the program started ({how}){(said is null ? "" : $": {said}")}");
    }

    /// <summary>
    /// Hands the harness its input and waits for the run to end: at most the time limit (and the backend's allowance)
    /// from now, and at most <paramref name="stdoutLimit"/> bytes of stdout. A sandbox runs once.
    /// </summary>
    public async Task<ProcessOutcome> RunAsync(byte[] input, long stdoutLimit, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref handedOver, 1) != 0)
        {
            throw new InvalidOperationException("A sandbox runs exactly one program.");
        }
        if (HasExited)
        {
            // It died while it waited (killed from outside): it gets no input, and reports nothing, so it never started.
            return new ProcessOutcome([], [], process.ExitCode, StopReason.None, TimeSpan.Zero);
        }
        var clock = Stopwatch.StartNew();
        var stdout = ReadAsync(process.StandardOutput.BaseStream, stdoutLimit, overflow);
        _ = WriteInputAsync(input);

        using var wall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overflow.Token);
        wall.CancelAfter(TimeSpan.FromMilliseconds(Shape.TimeMs) + launch.WallAllowance);
        var stopped = StopReason.None;
        try
        {
            await Exited.WaitAsync(wall.Token);
        }
        catch (OperationCanceledException)
        {
            stopped = overflow.IsCancellationRequested ? StopReason.Output : StopReason.WallTime;
            KillTree();
            await Exited;
        }
        var elapsed = clock.Elapsed;
        cancellationToken.ThrowIfCancellationRequested();
        // The pipes close when the last process holding them is gone; a run's processes all die with it.
        try
        {
            var output = await Task.WhenAll(stdout, stderr).WaitAsync(DrainAfterExit, CancellationToken.None);
            return new ProcessOutcome(output[0], output[1], process.ExitCode, stopped, elapsed, launch.OutOfMemory());
        }
        catch (TimeoutException)
        {
            throw new RuntimeUnavailableException("a run's output stayed open after it ended: a process of the run outlived the isolation.");
        }
    }

    private async Task WriteInputAsync(byte[] input)
    {
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program ended (or was stopped) before reading everything: nothing more to tell it.
        }
    }

    /// <summary>Reads to the end; keeps the first <paramref name="limit"/> bytes and signals when there are more.</summary>
    private static async Task<byte[]> ReadAsync(Stream stream, long limit, CancellationTokenSource overflow)
    {
        using var kept = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            var room = (int)Math.Min(read, limit - kept.Length);
            if (room > 0)
            {
                kept.Write(buffer, 0, room);
            }
            if (room < read && !overflow.IsCancellationRequested)
            {
                await overflow.CancelAsync();
            }
        }
        return kept.ToArray();
    }

    private void KillTree()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            KillTree();
            await Exited;
        }
        try
        {
            await launch.ReleaseAsync();
        }
        finally
        {
            overflow.Dispose();
            process.Dispose();
        }
    }
}
