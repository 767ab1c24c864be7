using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LearnPlatform.Sandbox.Runs;

/// <summary>What the harness reads on stdin: no expected values, so nothing in the sandbox knows what passes.</summary>
internal sealed record HarnessInput(string Nonce, string Code, IReadOnlyList<string> Calls);

/// <summary>One line the harness wrote: a test's value or error, the module's failure, or the end.</summary>
internal sealed record HarnessRecord(
    [property: JsonPropertyName("i")] int? Index,
    string? Actual,
    bool? Truncated,
    string? Error,
    string? ModuleError,
    bool? Started,
    bool? Done);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HarnessInput))]
[JsonSerializable(typeof(HarnessRecord))]
internal sealed partial class HarnessJson : JsonSerializerContext;

/// <summary>
/// The harness's reports, taken out of the program's stdout: each is a line "\n&lt;nonce&gt; &lt;json&gt;\n" where the
/// nonce is random per run, so nothing the program prints by itself can pass for a report. The first report of a
/// test counts. Everything else is the program's own output. <see cref="Started"/>: the harness ran before any of the
/// program's code; without it, the isolation or the runtime failed, not the program.
/// </summary>
internal sealed record HarnessReport(string ProgramStdout, IReadOnlyDictionary<int, HarnessRecord> Tests, string? ModuleError, bool Started, bool Done)
{
    public static HarnessReport Parse(byte[] stdout, string nonce)
    {
        var marker = Encoding.ASCII.GetBytes($"\n{nonce} ");
        var program = new MemoryStream();
        var tests = new Dictionary<int, HarnessRecord>();
        string? moduleError = null;
        var done = false;
        var started = false;
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
            if (Read(rest[..end]) is { } record)
            {
                if (record.Index is { } index)
                {
                    tests.TryAdd(index, record);
                }
                moduleError ??= record.ModuleError;
                started |= record.Started == true;
                done |= record.Done == true;
            }
            rest = rest[(end + 1)..];
        }
        return new HarnessReport(Encoding.UTF8.GetString(program.GetBuffer(), 0, (int)program.Length), tests, moduleError, started, done);
    }

    private static HarnessRecord? Read(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, HarnessJson.Default.HarnessRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
