using System.Diagnostics;
using System.Globalization;

namespace LearnPlatform.Sandbox.Isolation;

/// <summary>
/// bubblewrap: each run in new user, pid, network, ipc, uts and cgroup namespaces (no capabilities, and no further
/// user namespaces where /proc/sys is writable), on an empty read-only root holding only the runtime's files, with its own in-memory /tmp and
/// working directory and a minimal /dev; no /proc, /sys or /home. The run is uid 1000 inside; on the host it is the
/// service's uid, or <see cref="SandboxOptions.RunAsUid"/> when the service runs as root. bubblewrap's init is pid 1
/// of the run and dies with the service's child, so the whole tree goes when the program ends or is killed.
/// </summary>
internal sealed class BubblewrapBackend(SandboxOptions options, RunCgroups cgroups) : IIsolationBackend
{
    private const string JoinCgroups = "for f do shift; [ \"$f\" = -- ] && break; echo $$ > \"$f\" || exit 125; done; exec \"$@\"";

    /// <summary>Starting bubblewrap and the interpreter takes tens of milliseconds; past this the start has failed.</summary>
    private static readonly TimeSpan BootLimit = TimeSpan.FromSeconds(10);

    /// <summary>Beyond the run's time limit, for the harness to read its input and compile the program.</summary>
    private static readonly TimeSpan WallAllowance = TimeSpan.FromMilliseconds(500);

    public string Name => IsolationBackends.Bubblewrap;

    /// <summary>
    /// bubblewrap forbids user namespaces inside a run by setting user.max_user_namespaces in the run's own; where
    /// /proc/sys is mounted read-only (containers) or lacks that setting (gVisor), it cannot, and runs go without that guard.
    /// </summary>
    public static bool CanBlockNestedUserNamespaces { get; } = File.Exists(MaxUserNamespaces) && !ProcSysReadOnly();

    private const string MaxUserNamespaces = "/proc/sys/user/max_user_namespaces";

    private static bool ProcSysReadOnly()
    {
        // mountinfo: id parent major:minor root mount-point options ...
        foreach (var fields in File.ReadLines("/proc/self/mountinfo").Select(line => line.Split(' ')))
        {
            if (fields.Length > 5 && MaxUserNamespaces.StartsWith(fields[4], StringComparison.Ordinal)
                && fields[4].StartsWith("/proc/sys", StringComparison.Ordinal) && fields[5].Split(',').Contains("ro"))
            {
                return true;
            }
        }
        return false;
    }

    public string? Unusable() =>
        !File.Exists(options.BubblewrapPath) ? $"bubblewrap not found at {options.BubblewrapPath} (Sandbox__BubblewrapPath)."
        : Environment.IsPrivilegedProcess && !File.Exists(Setpriv) ? $"the service runs as root and {Setpriv} (util-linux) is missing to drop to an unprivileged uid."
        : null;

    private const string Setpriv = "/usr/bin/setpriv";

    public Task<SandboxLaunch> PrepareAsync(SandboxShape shape)
    {
        var cgroup = cgroups.Create($"run-{Guid.NewGuid():N}", shape.MemoryMb * 1024L * 1024 + 2 * options.TmpfsBytes, options.MaxProcesses + 4);
        return Task.FromResult(new SandboxLaunch(shape, StartInfo(shape, cgroup), BootLimit, WallAllowance,
            () => cgroup?.OutOfMemory() == true,
            () => cgroup?.RemoveAsync() ?? Task.CompletedTask));
    }

    private ProcessStartInfo StartInfo(SandboxShape shape, RunCgroup? cgroup)
    {
        var command = new List<string>();
        if (cgroup is not null)
        {
            command.AddRange(["/bin/sh", "-c", JoinCgroups, "sh", .. cgroup.ProcsFiles, "--"]);
        }
        if (Environment.IsPrivilegedProcess)
        {
            var id = options.RunAsUid.ToString(CultureInfo.InvariantCulture);
            command.AddRange([Setpriv, $"--reuid={id}", $"--regid={id}", "--clear-groups", "--"]);
        }
        var tmpfs = options.TmpfsBytes.ToString(CultureInfo.InvariantCulture);
        command.AddRange(
        [
            options.BubblewrapPath,
            "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
            "--uid", "1000", "--gid", "1000", "--hostname", "sandbox",
            "--clearenv",
        ]);
        if (CanBlockNestedUserNamespaces)
        {
            command.Add("--disable-userns");
        }
        foreach (var (name, value) in RunRlimits.Environment)
        {
            command.AddRange(["--setenv", name, value]);
        }
        command.AddRange(["--dev", "/dev", "--size", tmpfs, "--tmpfs", "/tmp", "--size", tmpfs, "--tmpfs", "/work"]);
        foreach (var bind in shape.Runtime.Binds)
        {
            command.AddRange(["--ro-bind", bind.Source, bind.Target]);
        }
        command.AddRange(["--remount-ro", "/", "--chdir", "/work", "--", .. RunRlimits.Command(shape, options)]);

        var start = new ProcessStartInfo(command[0]);
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        // bubblewrap clears the run's environment; this keeps the service's own out of the launcher too.
        start.Environment.Clear();
        return start;
    }
}
