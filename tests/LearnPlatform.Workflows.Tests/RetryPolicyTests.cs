namespace LearnPlatform.Workflows.Tests;

public sealed class RetryPolicyTests
{
    private static readonly RetryPolicy Temporal = new();

    [Fact]
    public void BackoffStartsAtOneSecondAndDoublesWithEachFailedAttempt()
    {
        var delays = Enumerable.Range(1, 5).Select(attempt => Temporal.DelayAfter(attempt, random: 0.5)).ToArray();

        Assert.Equal([1, 2, 4, 8, 16], delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public void BackoffIsCappedAtTheMaximumInterval()
    {
        Assert.Equal(TimeSpan.FromSeconds(64), Temporal.DelayAfter(7, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(100), Temporal.DelayAfter(8, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(100), Temporal.DelayAfter(1000, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(100), Temporal.DelayAfter(8, 0.999));
    }

    [Fact]
    public void JitterMovesTheDelayByAtMostItsFractionEitherWay()
    {
        Assert.Equal(TimeSpan.FromSeconds(3.2), Temporal.DelayAfter(3, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(4.8), Temporal.DelayAfter(3, random: 1));
        Assert.Equal(TimeSpan.FromSeconds(4), new RetryPolicy { Jitter = 0 }.DelayAfter(3, random: 0.9));
    }

    [Fact]
    public void CustomPolicyGrowsByItsOwnCoefficient()
    {
        var policy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(100), BackoffCoefficient = 3, MaximumInterval = TimeSpan.FromSeconds(1), Jitter = 0 };

        Assert.Equal([100, 300, 900, 1000], Enumerable.Range(1, 4).Select(a => policy.DelayAfter(a, 0).TotalMilliseconds));
    }

    [Fact]
    public void AttemptsAreCountedFromOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Temporal.DelayAfter(0, 0.5));
    }

    [Fact]
    public void RegistryRefusesAPolicyThatCannotWork()
    {
        var registry = new WorkflowRegistry();
        Assert.Throws<ArgumentException>(() => registry.Register<int>("x", (_, _) => Task.CompletedTask,
            new WorkflowOptions { Retry = new RetryPolicy { BackoffCoefficient = 0.5 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.Register<int>("y", (_, _) => Task.CompletedTask,
            new WorkflowOptions { MaxAttempts = 0 }));
        Assert.Empty(registry.Types);
    }

    [Fact]
    public void RunErrorNamesTheStepAndIsShort()
    {
        var error = WorkflowWorker.Describe(new InvalidOperationException(new string('x', 2000)), "charge");

        Assert.StartsWith("step 'charge': InvalidOperationException: xxx", error, StringComparison.Ordinal);
        Assert.Equal(500, error.Length);
    }

    [Fact]
    public void DueTimesInTheFutureRoundUpToTheMicrosecondAndPastOnesRoundDown()
    {
        var now = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero).AddTicks(5);

        Assert.Equal(now.AddTicks(5), EngineSql.DueTime(now.AddTicks(1), now));
        Assert.Equal(now.AddTicks(-5), EngineSql.DueTime(now, now));
        Assert.Equal(now.AddTicks(-5), EngineSql.DueTime(now.ToOffset(TimeSpan.FromHours(2)), now));
        Assert.Equal(TimeSpan.Zero, EngineSql.DueTime(now, now).Offset);
    }
}
