namespace LearnPlatform.Workflows;

/// <summary>An auto-reset wake-up: any number of <see cref="Set"/> calls wake one waiter once.</summary>
internal sealed class AsyncSignal
{
    private readonly object gate = new();
    private TaskCompletionSource signal = New();

    public void Set()
    {
        lock (gate)
        {
            signal.TrySetResult();
        }
    }

    /// <summary>Waits until set or until <paramref name="timeout"/>, then resets.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        Task task;
        lock (gate)
        {
            task = signal.Task;
        }
        if (timeout > TimeSpan.Zero && !task.IsCompleted)
        {
            try
            {
                await task.WaitAsync(timeout, time, ct);
            }
            catch (TimeoutException)
            {
                // Polling fallback.
            }
        }
        ct.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (signal.Task.IsCompleted)
            {
                signal = New();
            }
        }
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
