using System.Collections.Concurrent;
using System.Diagnostics;

namespace LearnPlatform.Sandbox.Isolation;

/// <summary>
/// Starts every sandbox process from one thread that lives as long as the service. bubblewrap's
/// <c>--die-with-parent</c> (PR_SET_PDEATHSIG) kills a sandbox when the thread that forked it exits, not the
/// process, and thread-pool threads retire when idle: a sandbox waiting in the pool must not die with one.
/// </summary>
internal sealed class SandboxLauncher : IDisposable
{
    private readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> queue = [];

    public SandboxLauncher()
    {
        new Thread(Launch) { IsBackground = true, Name = "sandbox launcher" }.Start();
    }

    /// <exception cref="System.ComponentModel.Win32Exception">The program cannot be executed.</exception>
    public Task<Process> StartAsync(ProcessStartInfo start)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            queue.Add((start, started));
        }
        catch (InvalidOperationException)
        {
            started.SetException(new ObjectDisposedException(nameof(SandboxLauncher)));
        }
        return started.Task;
    }

    private void Launch()
    {
        foreach (var (start, started) in queue.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start."));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }

    public void Dispose()
    {
        queue.CompleteAdding();
    }
}
