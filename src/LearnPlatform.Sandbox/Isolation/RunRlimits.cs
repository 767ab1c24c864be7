using System.Globalization;

namespace LearnPlatform.Sandbox.Isolation;

/// <summary>The kernel limits every run gets, whichever backend runs it; applied by prlimit inside the sandbox.</summary>
internal static class RunRlimits
{
    public const int OpenFiles = 256;

    /// <summary>The same environment for every run: nothing of the host's.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> Environment =
    [
        new("PATH", "/usr/bin"),
        new("LANG", "C.UTF-8"),
        new("HOME", "/work"),
    ];

    public static int CpuSeconds(int timeMs) => Math.Max(1, (timeMs + 999) / 1000);

    /// <summary>
    /// prlimit's arguments, then the runtime's command. RLIMIT_NPROC is set here, inside the run's own user namespace,
    /// because the kernel counts it per user namespace: runs do not share one budget, so a fork bomb in one run
    /// leaves the others untouched.
    /// </summary>
    public static IReadOnlyList<string> Command(SandboxShape shape, SandboxOptions options)
    {
        var cpu = CpuSeconds(shape.TimeMs);
        return
        [
            LanguageRuntime.Prlimit,
            Invariant($"--nproc={options.MaxProcesses}"),
            Invariant($"--as={shape.Runtime.AddressSpaceBytes(shape.MemoryMb)}"),
            // SIGXCPU at the soft limit, SIGKILL a second later for a program that ignores it.
            Invariant($"--cpu={cpu}:{cpu + 1}"),
            Invariant($"--fsize={options.MaxFileBytes}"),
            "--core=0",
            Invariant($"--nofile={OpenFiles}"),
            "--",
            .. shape.Runtime.Command(shape.MemoryMb),
        ];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
