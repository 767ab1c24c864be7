using System.Text;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Isolation;
using LearnPlatform.Sandbox.Runs;

namespace LearnPlatform.Sandbox.Tests.Unit;

/// <summary>The service decides: trimmed equality, limits before program errors, a reason for every failed test.</summary>
public sealed class RunVerdictTests
{
    private static readonly RunTest[] Tests = [new("a()", " 1 "), new("b()", "'x'")];

    private static HarnessReport Reported(params (int Index, TestReport Report)[] tests) =>
        new("", tests.ToDictionary(t => t.Index, t => t.Report), null, Started: true, Done: true);

    private static ProcessOutcome Ended(int exitCode = 0, StopReason stopped = StopReason.None, bool outOfMemory = false, string stderr = "") =>
        new([], Encoding.UTF8.GetBytes(stderr), exitCode, stopped, TimeSpan.FromMilliseconds(12), outOfMemory);

    [Fact]
    public void ValuesAreComparedAfterTrimming()
    {
        var result = RunVerdict.Decide(Tests, Reported((0, new("1\n", false, null)), (1, new("'x'", false, null))), Ended());

        Assert.Equal(RunStatus.Passed, result.Status);
        Assert.Equal(12, result.DurationMs);
    }

    [Fact]
    public void ACutValueNeverPasses()
    {
        var result = RunVerdict.Decide(Tests, Reported((0, new("1", true, null)), (1, new("'x'", false, null))), Ended());

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.False(result.Tests[0].Passed);
    }

    [Theory]
    [InlineData("WallTime", 137, RunStatus.Timeout, "time limit exceeded")]
    [InlineData("None", 128 + 24, RunStatus.Timeout, "time limit exceeded")] // SIGXCPU: the CPU-time limit
    [InlineData("Output", 137, RunStatus.OutputLimit, "output limit exceeded")]
    public void ALimitFailsTheTestsItStopped(string stoppedBy, int exitCode, RunStatus status, string reason)
    {
        var stopped = Enum.Parse<StopReason>(stoppedBy);
        var report = new HarnessReport("", new Dictionary<int, TestReport> { [0] = new("1", false, null) }, null, Started: true, Done: false);

        var result = RunVerdict.Decide(Tests, report, Ended(exitCode, stopped));

        Assert.Equal(status, result.Status);
        Assert.True(result.Tests[0].Passed);
        Assert.Equal(reason, result.Tests[1].Error);
    }

    [Fact]
    public void AnOomKillInTheRunsCgroupIsTheMemoryLimit()
    {
        var report = new HarnessReport("", new Dictionary<int, TestReport>(), null, Started: true, Done: false);

        var result = RunVerdict.Decide(Tests, report, Ended(137, outOfMemory: true));

        Assert.Equal(RunStatus.MemoryLimit, result.Status);
        Assert.All(result.Tests, t => Assert.Equal("memory limit exceeded", t.Error));
    }

    [Fact]
    public void AMemoryErrorInACallIsTheMemoryLimit()
    {
        var result = RunVerdict.Decide(Tests, Reported((0, new(null, false, "MemoryError")), (1, new("'x'", false, null))), Ended());

        Assert.Equal(RunStatus.MemoryLimit, result.Status);
        Assert.Equal("memory limit exceeded: MemoryError", result.Tests[0].Error);
        Assert.True(result.Tests[1].Passed);
    }

    [Fact]
    public void AModuleErrorFailsEveryTest()
    {
        var report = new HarnessReport("", new Dictionary<int, TestReport>(), "NameError: name 'q' is not defined", Started: true, Done: false);

        var result = RunVerdict.Decide(Tests, report, Ended(0));

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.All(result.Tests, t => Assert.Equal("the program failed: NameError: name 'q' is not defined", t.Error));
    }

    [Fact]
    public void AProgramThatEndsEarlySaysHow()
    {
        var report = new HarnessReport("", new Dictionary<int, TestReport> { [0] = new("1", false, null) }, null, Started: true, Done: false);

        var result = RunVerdict.Decide(Tests, report, Ended(3));

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal("the program ended before this test ran (exit code 3)", result.Tests[1].Error);
    }

    [Fact]
    public void OutputIsCutTo64KiBCharacters()
    {
        var report = new HarnessReport(new string('o', 70_000), new Dictionary<int, TestReport>(), null, Started: true, Done: true);

        var result = RunVerdict.Decide([], report, Ended(stderr: new string('e', 70_000)));

        Assert.Equal(RunResult.MaxOutputChars, result.Stdout.Length);
        Assert.Equal(RunResult.MaxOutputChars, result.Stderr.Length);
    }
}
