namespace LearnPlatform.Sandbox.Tests.Infrastructure;

/// <summary>The sandboxes of a service as the host sees them: its children running bubblewrap or <c>runsc run</c>.</summary>
public static class SandboxProcesses
{
    public static HashSet<int> Of(int servicePid) =>
        Matching((parent, command) => parent == servicePid
            && (Path.GetFileName(command[0]) == "bwrap" || (Path.GetFileName(command[0]) == "runsc" && command.Contains("run")))).ToHashSet();

    /// <summary>Every process on the host whose parent pid and command line (its arguments) match.</summary>
    public static List<int> Matching(Func<int, string[], bool> match)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            try
            {
                // stat: pid (comm) state ppid ...
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (match(parent, File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0')))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    public static bool Alive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    /// <summary>
    /// Waits until the service has <paramref name="count"/> sandboxes that all started at least
    /// <paramref name="settled"/> ago (long enough to be waiting for input), and returns them.
    /// </summary>
    public static async Task<HashSet<int>> WaitForAsync(int servicePid, int count, TimeSpan settled)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var seen = new HashSet<int>();
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            var now = Of(servicePid);
            if (!now.SetEquals(seen))
            {
                (seen, since) = (now, DateTime.UtcNow);
            }
            else if (seen.Count == count && DateTime.UtcNow - since >= settled)
            {
                return seen;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the service did not settle at {count} waiting sandboxes (has {seen.Count}).");
    }
}
