using System.Text;

namespace LearnPlatform.Sandbox.Runs;

/// <summary>
/// The harness's protocol. Input (stdin): the nonce, the code and each call, one line each, the last two hex-encoded
/// UTF-8; no expected values, so nothing in the sandbox knows what passes. Reports (within stdout): lines
/// "\n&lt;nonce&gt; &lt;kind&gt; &lt;index&gt; &lt;hex&gt;\n" where the nonce is random per run, so nothing the
/// program prints by itself can pass for a report. Hex keeps both sides free of a JSON library: the Python harness
/// loads no module from disk.
/// </summary>
internal static class HarnessProtocol
{
    public static byte[] Input(string nonce, string code, IEnumerable<string> calls)
    {
        var text = new StringBuilder(nonce).Append('\n').Append(Convert.ToHexString(Encoding.UTF8.GetBytes(code))).Append('\n');
        foreach (var call in calls)
        {
            text.Append(Convert.ToHexString(Encoding.UTF8.GetBytes(call))).Append('\n');
        }
        return Encoding.ASCII.GetBytes(text.ToString());
    }
}

/// <summary>
/// The reports taken out of the program's stdout. The first report of a test counts; everything that is not a
/// report is the program's own output. <see cref="Started"/>: the harness ran before any of the program's code;
/// without it the isolation or the runtime failed, not the program.
/// </summary>
internal sealed record HarnessReport(string ProgramStdout, IReadOnlyDictionary<int, TestReport> Tests, string? ModuleError, bool Started, bool Done)
{
    public static HarnessReport Parse(byte[] stdout, string nonce)
    {
        var marker = Encoding.ASCII.GetBytes($"\n{nonce} ");
        using var program = new MemoryStream();
        var tests = new Dictionary<int, TestReport>();
        string? moduleError = null;
        var (started, done) = (false, false);
        ReadOnlySpan<byte> rest = stdout;
        while (true)
        {
            var at = rest.IndexOf(marker);
            if (at < 0)
            {
                program.Write(rest);
                break;
            }
            program.Write(rest[..at]);
            rest = rest[(at + marker.Length)..];
            var end = rest.IndexOf((byte)'\n');
            if (end < 0)
            {
                break; // cut off by a kill: not a report
            }
            var fields = Encoding.ASCII.GetString(rest[..end]).Split(' ');
            rest = rest[(end + 1)..];
            if (fields.Length != 3 || !int.TryParse(fields[1], out var index) || Text(fields[2]) is not { } text)
            {
                continue;
            }
            switch (fields[0])
            {
                case "started":
                    started = true;
                    break;
                case "done":
                    done = true;
                    break;
                case "module_error":
                    moduleError ??= text;
                    break;
                case "value" or "truncated" or "error" when index >= 0:
                    tests.TryAdd(index, new TestReport(fields[0] == "error" ? null : text, fields[0] == "truncated", fields[0] == "error" ? text : null));
                    break;
            }
        }
        return new HarnessReport(Encoding.UTF8.GetString(program.GetBuffer(), 0, (int)program.Length), tests, moduleError, started, done);
    }

    private static string? Text(string hex)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromHexString(hex));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>A test's value (at most 2048 characters; <paramref name="Truncated"/> when it was longer) or the error its call raised.</summary>
internal sealed record TestReport(string? Actual, bool Truncated, string? Error);
