using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LearnPlatform.Benchmarks;

/// <summary>One request wrk sends; a script rotates through a list of them.</summary>
internal sealed record WrkRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string? Body = null);

/// <summary>wrk (Debian's package) against a loopback URL, with a Lua script that rotates through prepared requests.</summary>
internal static partial class Wrk
{
    public sealed record Result(string Command, double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Errors);

    public static async Task<Result> RunAsync(Uri baseUrl, IReadOnlyList<WrkRequest> requests, int threads, int connections, int seconds)
    {
        var script = Path.Combine(Path.GetTempPath(), $"learnplatform-wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, Script(requests));
        try
        {
            string[] arguments = ["-t", Text(threads), "-c", Text(connections), "-d", $"{Text(seconds)}s", "--latency", "-s", script, baseUrl.ToString()];
            var output = await RunWrkAsync(arguments);
            var rps = RequestsPerSecond().Match(output);
            var total = Total().Match(output);
            if (!rps.Success || !total.Success)
            {
                throw new InvalidOperationException($"unexpected wrk output:\n{output}");
            }
            var non2xx = Non2xx().Match(output);
            var socket = SocketErrors().Match(output);
            var errors = (non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0)
                + (socket.Success ? socket.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0);
            return new Result(
                $"wrk -t{threads} -c{connections} -d{seconds}s",
                double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
                LatencyMs(output, "50%"),
                LatencyMs(output, "99%"),
                long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
                errors);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>Each wrk thread starts at its own place in the list, so connections do not all hit the same rows.</summary>
    private static string Script(IReadOnlyList<WrkRequest> requests)
    {
        // Formatted in init(), once wrk has set the Host header.
        var lua = new StringBuilder("local requests = {}\nlocal function prepare()\n");
        for (var i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            var headers = string.Join(", ", r.Headers.Select(h => $"[{Quote(h.Key)}] = {Quote(h.Value)}"));
            lua.Append(CultureInfo.InvariantCulture, $"  requests[{i + 1}] = wrk.format({Quote(r.Method)}, {Quote(r.Path)}, {{ {headers} }}, {(r.Body is null ? "nil" : Quote(r.Body))})\n");
        }
        lua.Append("""
            end
            local n = 0
            local i = 0
            local threads = 0
            function setup(thread)
              thread:set("first", threads * 7919)
              threads = threads + 1
            end
            function init(args)
              prepare()
              n = #requests
              i = (first or 0) % n
            end
            function request()
              i = i % n + 1
              return requests[i]
            end
            """);
        return lua.ToString();
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static double LatencyMs(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s*{Regex.Escape(percentile)}\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            throw new InvalidOperationException($"wrk printed no {percentile} latency:\n{output}");
        }
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    private static async Task<string> RunWrkAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("could not start wrk (apt-get install wrk)", e);
        }
        using var process = started ?? throw new InvalidOperationException("could not start wrk (apt-get install wrk)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"wrk failed ({process.ExitCode}):\n{output}");
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Total();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
