using System.Diagnostics;

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
/// Runs one sandbox command: writes the harness input to stdin, keeps at most the limit of stdout and stderr, and
/// kills the whole process tree at the wall-time limit or when an output stream passes its limit.
/// </summary>
internal static class SandboxProcess
{
    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromSeconds(2);

    public static async Task<ProcessOutcome> RunAsync(ProcessStartInfo start, byte[] input, TimeSpan wallLimit, long stdoutLimit, long stderrLimit, CancellationToken cancellationToken)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new RuntimeUnavailableException($"{start.FileName} did not start.");
        using var overflow = new CancellationTokenSource();
        var stdout = ReadAsync(process.StandardOutput.BaseStream, stdoutLimit, overflow);
        var stderr = ReadAsync(process.StandardError.BaseStream, stderrLimit, overflow);
        _ = WriteInputAsync(process, input);

        using var wall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overflow.Token);
        wall.CancelAfter(wallLimit);
        var stopped = StopReason.None;
        try
        {
            await process.WaitForExitAsync(wall.Token);
        }
        catch (OperationCanceledException)
        {
            stopped = overflow.IsCancellationRequested ? StopReason.Output : StopReason.WallTime;
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        var elapsed = clock.Elapsed;
        cancellationToken.ThrowIfCancellationRequested();
        // The pipes close when the last process holding them is gone; a run's processes all die with it.
        try
        {
            var output = await Task.WhenAll(stdout, stderr).WaitAsync(DrainAfterExit, CancellationToken.None);
            return new ProcessOutcome(output[0], output[1], process.ExitCode, stopped, elapsed);
        }
        catch (TimeoutException)
        {
            throw new RuntimeUnavailableException("a run's output stayed open after it ended: a process of the run outlived the isolation.");
        }
    }

    public static void KillTree(Process process)
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

    private static async Task WriteInputAsync(Process process, byte[] input)
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
}
