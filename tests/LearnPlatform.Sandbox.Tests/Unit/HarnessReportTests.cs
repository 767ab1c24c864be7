using System.Text;
using LearnPlatform.Sandbox.Runs;

namespace LearnPlatform.Sandbox.Tests.Unit;

/// <summary>Reports are only nonce-framed, well-formed lines; everything else is the program's output.</summary>
public sealed class HarnessReportTests
{
    private const string Nonce = "0123456789abcdef0123456789abcdef";

    private static string Report(string kind, int index = -1, string text = "") =>
        $"\n{Nonce} {kind} {index} {Convert.ToHexString(Encoding.UTF8.GetBytes(text))}\n";

    private static HarnessReport Parse(string stdout) => HarnessReport.Parse(Encoding.UTF8.GetBytes(stdout), Nonce);

    [Fact]
    public void ReportsAreTakenOutAndTheRestIsTheProgramsOutput()
    {
        var report = Parse(Report("started") + "hello\n" + Report("value", 0, "'é'") + "partial" + Report("error", 1, "ZeroDivisionError: x") + Report("done"));

        Assert.True(report.Started);
        Assert.True(report.Done);
        Assert.Equal("hello\npartial", report.ProgramStdout);
        Assert.Equal("'é'", report.Tests[0].Actual);
        Assert.Equal("ZeroDivisionError: x", report.Tests[1].Error);
        Assert.Null(report.Tests[1].Actual);
    }

    [Fact]
    public void LinesWithAnotherNonceOrMalformedFieldsAreOutput()
    {
        var forged = $"\n{new string('f', 32)} value 0 3432\n";
        var report = Parse(Report("started") + forged + $"\n{Nonce} value 0 zz\n" + $"\n{Nonce} value x 3432\n" + $"\n{Nonce} value 0\n");

        Assert.Empty(report.Tests);
        Assert.StartsWith(forged, report.ProgramStdout, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFirstReportOfATestCounts()
    {
        var report = Parse(Report("started") + Report("value", 0, "1") + Report("value", 0, "2"));

        Assert.Equal("1", report.Tests[0].Actual);
    }

    [Fact]
    public void AReportCutOffByAKillIsIgnored()
    {
        var report = Parse(Report("started") + Report("value", 0, "1")[..^1]);

        Assert.Empty(report.Tests);
        Assert.False(report.Done);
    }

    [Fact]
    public void WithoutTheStartedReportTheHarnessNeverRan()
    {
        var report = Parse("bwrap: setting up uid map: Permission denied\n");

        Assert.False(report.Started);
    }

    [Fact]
    public void InputCarriesCodeAndCallsButNoExpectedValues()
    {
        var input = Encoding.ASCII.GetString(HarnessProtocol.Input(Nonce, "x = 'é'", ["x", "y"]));

        Assert.Equal($"{Nonce}\n{Convert.ToHexString(Encoding.UTF8.GetBytes("x = 'é'"))}\n78\n79\n", input);
    }
}
