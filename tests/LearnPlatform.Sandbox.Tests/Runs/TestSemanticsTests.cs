using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Tests.Infrastructure;

namespace LearnPlatform.Sandbox.Tests.Runs;

/// <summary>The program runs as a module; each call is evaluated in its namespace and compared after trimming.</summary>
[Collection(SandboxHostsDefinition.Name)]
public sealed class TestSemanticsTests(SandboxHosts hosts)
{
    private static readonly (string, string)[] AddTests = [("add(2, 3)", "5"), ("add(-1, 1)", "0"), ("add('a', 'b')", " 'ab' ")];

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task CorrectSolutionPassesEveryTest(string backend)
    {
        var result = await hosts.RunAsync(backend, "def add(a, b):\n    return a + b\n", AddTests);

        Assert.Equal(RunStatus.Passed, result.Status);
        Assert.All(result.Tests, t => Assert.True(t.Passed));
        Assert.Equal(["5", "0", "'ab'"], result.Tests.Select(t => t.Actual));
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task PartlyCorrectSolutionPassesOnlyTheTestsItGetsRight(string backend)
    {
        var result = await hosts.RunAsync(backend, "def add(a, b):\n    return 7 if a == -1 else a + b\n", AddTests);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal([true, false, true], result.Tests.Select(t => t.Passed));
        Assert.Equal("7", result.Tests[1].Actual);
        Assert.Null(result.Tests[1].Error);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task WrongSolutionFailsEveryTest(string backend)
    {
        var result = await hosts.RunAsync(backend, "def add(a, b):\n    print('adding')\n    return None\n", AddTests);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.All(result.Tests, t => Assert.Equal(("None", false), (t.Actual, t.Passed)));
        Assert.Equal("adding\nadding\nadding\n", result.Stdout);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task SyntaxErrorFailsEveryTestWithTheError(string backend)
    {
        var result = await hosts.RunAsync(backend, "def add(a, b)\n    return a + b\n", AddTests);

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.All(result.Tests, t =>
        {
            Assert.False(t.Passed);
            Assert.StartsWith("the program failed: SyntaxError: ", t.Error, StringComparison.Ordinal);
            Assert.Contains("line 1", t.Error, StringComparison.Ordinal);
        });
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task ExceptionInACallFailsThatTestWithTypeAndMessage(string backend)
    {
        var result = await hosts.RunAsync(backend, "def div(a, b):\n    return a / b\n", ("div(6, 3)", "2.0"), ("div(1, 0)", "0"), ("undefined_name", "1"));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.True(result.Tests[0].Passed);
        Assert.Equal("ZeroDivisionError: division by zero", result.Tests[1].Error);
        Assert.Equal("NameError: name 'undefined_name' is not defined", result.Tests[2].Error);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task ExceptionInTheModuleFailsEveryTest(string backend)
    {
        var result = await hosts.RunAsync(backend, "def add(a, b):\n    return a + b\nraise ValueError('not today')\n", AddTests);

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.All(result.Tests, t => Assert.Equal("the program failed: ValueError: not today", t.Error));
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task TheMainBlockDoesNotRunAndInputIsEmpty(string backend)
    {
        var result = await hosts.RunAsync(backend, "import sys\nfirst = sys.stdin.read()\nif __name__ == '__main__':\n    raise SystemExit('main ran')\n", ("first", "''"), ("__name__", "'solution'"));

        Assert.Equal(RunStatus.Passed, result.Status);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task JavaScriptIsComparedAsJson(string backend)
    {
        var result = await hosts.RunAsync(backend, RunLanguages.JavaScript,
            "function add(a, b) { console.log('adding'); return a + b; }\nconst pair = [1, 'two'];\n", null,
            ("add(2, 3)", "5"), ("pair", "[1,\"two\"]"), ("add(1, 1)", "3"), ("missing()", "1"), ("undefined", "undefined"));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal([true, true, false, false, true], result.Tests.Select(t => t.Passed));
        Assert.Equal("ReferenceError: missing is not defined", result.Tests[3].Error);
        Assert.Equal("adding\nadding\n", result.Stdout);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task JavaScriptSyntaxErrorFailsEveryTest(string backend)
    {
        var result = await hosts.RunAsync(backend, RunLanguages.JavaScript, "function add(a, b) { return a + ; }", null, ("add(1, 2)", "3"));

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.StartsWith("the program failed: SyntaxError", result.Tests[0].Error, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task NoTestsRunsTheProgramAlone(string backend)
    {
        var result = await hosts.RunAsync(backend, "print('hello')");

        Assert.Equal(RunStatus.Passed, result.Status);
        Assert.Empty(result.Tests);
        Assert.Equal("hello\n", result.Stdout);
    }
}
