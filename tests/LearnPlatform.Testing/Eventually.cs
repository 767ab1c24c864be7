using System.Diagnostics;
using Xunit;

namespace LearnPlatform.Testing;

/// <summary>Waits for something the system does in the background, instead of a hand-written polling loop.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeout"/> (default 15 s).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string what = "the condition")
    {
        ArgumentNullException.ThrowIfNull(condition);
        await PollAsync(async () => (await condition(), true), timeout, what);
    }

    /// <summary>Polls <paramref name="read"/> until it returns a value other than null, and returns that value.</summary>
    public static Task<T> ValueAsync<T>(Func<Task<T?>> read, TimeSpan? timeout = null, string what = "a value") where T : class =>
        PollAsync(async () => await read() is { } value ? (true, value) : (false, null!), timeout, what);

    /// <summary>Polls <paramref name="read"/> until it returns a value other than null, and returns that value.</summary>
    public static Task<T> ValueAsync<T>(Func<Task<T?>> read, TimeSpan? timeout = null, string what = "a value") where T : struct =>
        PollAsync(async () => await read() is { } value ? (true, value) : (false, default), timeout, what);

    private static async Task<T> PollAsync<T>(Func<Task<(bool Done, T Value)>> read, TimeSpan? timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(read);
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (done, value) = await read();
            if (done)
            {
                return value;
            }
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}.");
            }
            await Task.Delay(Interval);
        }
    }
}
