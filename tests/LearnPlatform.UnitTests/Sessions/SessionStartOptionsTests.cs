using LearnPlatform.Api;
using LearnPlatform.Api.Sessions;

namespace LearnPlatform.UnitTests.Sessions;

public sealed class SessionStartOptionsTests
{
    [Fact]
    public void DefaultsAreValid()
    {
        var options = new SessionStartOptions().Validated();

        Assert.Equal(8, options.ConcurrentStarts);
        Assert.Equal(5000, options.QueuedStarts);
    }

    [Theory]
    [InlineData(0, 10, "ConcurrentStarts")]
    [InlineData(1025, 10, "ConcurrentStarts")]
    [InlineData(4, -1, "QueuedStarts")]
    public void OutOfRangeSettingsStopTheStartWithTheirName(int concurrent, int queued, string named)
    {
        var error = Assert.Throws<StartupException>(() => new SessionStartOptions { ConcurrentStarts = concurrent, QueuedStarts = queued }.Validated());

        Assert.Contains($"Sessions:{named}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoQueueIsAllowed() => Assert.Equal(0, new SessionStartOptions { QueuedStarts = 0 }.Validated().QueuedStarts);
}
