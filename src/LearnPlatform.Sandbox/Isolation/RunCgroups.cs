using System.Globalization;

namespace LearnPlatform.Sandbox.Isolation;

/// <summary>
/// Per-run memory and pids cgroups (cgroup v1), where the service may create them (as root on a host with the v1
/// memory and pids controllers mounted). They bound a run's whole process tree, tmpfs files included, on top of the
/// per-process rlimits. Elsewhere (a Kubernetes pod, cgroup v2 without delegation) runs rely on rlimits, the run's
/// pid namespace and the pod's own limits; <see cref="Unavailable"/> says why.
/// </summary>
internal sealed class RunCgroups
{
    private const string Root = "/sys/fs/cgroup";
    private const string Parent = "learnplatform-sandbox";
    private readonly string memoryParent = Path.Combine(Root, "memory", Parent);
    private readonly string pidsParent = Path.Combine(Root, "pids", Parent);

    public RunCgroups(SandboxOptions options)
    {
        Unavailable = string.Equals(options.Cgroups, "off", StringComparison.OrdinalIgnoreCase) ? "turned off (Sandbox__Cgroups=off)" : Prepare();
    }

    /// <summary>Null when runs get cgroups, else why not.</summary>
    public string? Unavailable { get; }

    public RunCgroup? Create(string name, long memoryBytes, int processes)
    {
        if (Unavailable is not null)
        {
            return null;
        }
        var memory = Directory.CreateDirectory(Path.Combine(memoryParent, name)).FullName;
        var pids = Directory.CreateDirectory(Path.Combine(pidsParent, name)).FullName;
        File.WriteAllText(Path.Combine(memory, "memory.limit_in_bytes"), memoryBytes.ToString(CultureInfo.InvariantCulture));
        File.WriteAllText(Path.Combine(pids, "pids.max"), processes.ToString(CultureInfo.InvariantCulture));
        return new RunCgroup(memory, pids);
    }

    private string? Prepare()
    {
        if (!Directory.Exists(Path.Combine(Root, "memory")) || !Directory.Exists(Path.Combine(Root, "pids")))
        {
            return "no cgroup v1 memory and pids controllers at /sys/fs/cgroup";
        }
        try
        {
            Directory.CreateDirectory(memoryParent);
            Directory.CreateDirectory(pidsParent);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot create cgroups under {Root}: {e.Message}";
        }
    }
}

internal sealed class RunCgroup(string memory, string pids)
{
    /// <summary>The files a launcher writes its own pid to, so everything it executes starts inside.</summary>
    public IReadOnlyList<string> ProcsFiles { get; } = [Path.Combine(memory, "cgroup.procs"), Path.Combine(pids, "cgroup.procs")];

    /// <summary>The kernel's OOM killer ended a process of this run.</summary>
    public bool OutOfMemory() =>
        File.ReadLines(Path.Combine(memory, "memory.oom_control"))
            .Any(line => line.StartsWith("oom_kill ", StringComparison.Ordinal) && line != "oom_kill 0");

    /// <summary>Kills whatever is left (normally nothing: the run's pid namespace died with it) and removes both groups.</summary>
    public async Task RemoveAsync()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var left = File.ReadAllLines(Path.Combine(pids, "cgroup.procs")).Where(l => l.Length > 0).ToList();
            if (left.Count == 0)
            {
                break;
            }
            foreach (var pid in left)
            {
                _ = Kill(int.Parse(pid, CultureInfo.InvariantCulture), 9);
            }
            await Task.Delay(10);
        }
        await RemoveAsync(memory);
        await RemoveAsync(pids);
    }

    /// <summary>A group stays busy for a moment after its last process is gone (the kernel frees it lazily): retry for up to a second.</summary>
    private static async Task RemoveAsync(string directory)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(directory);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                await Task.Delay(20);
            }
            catch (IOException)
            {
                // Still busy after a second: left empty under the parent, where an operator may remove it.
                return;
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
