namespace LearnPlatform.Sandbox;

/// <summary>Configuration section <c>Sandbox</c> (environment: <c>Sandbox__Secret</c>, ...). See docs/sandbox.md.</summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";
    public const int MinSecretLength = 32;
    public const int DefaultTimeMs = 5000;
    public const int MaxTimeMs = 10_000;
    public const int DefaultMemoryMb = 256;
    public const int MinMemoryMb = 32;

    /// <summary>The shared secret callers send as <c>X-Sandbox-Secret</c>; at least 32 characters.</summary>
    public string? Secret { get; set; }

    /// <summary>A file holding the secret instead (a mounted Kubernetes Secret); re-read every 30 s, so a rotation needs no restart.</summary>
    public string? SecretFile { get; set; }

    /// <summary><c>bubblewrap</c> (default) or <c>gvisor</c>.</summary>
    public string Isolation { get; set; } = IsolationBackends.Bubblewrap;

    public int MaxConcurrentRuns { get; set; } = Environment.ProcessorCount;

    /// <summary>Requests waiting for a free slot; past that a request gets 503 with Retry-After at once.</summary>
    public int QueueLimit { get; set; } = 32;

    public int RetryAfterSeconds { get; set; } = 2;

    /// <summary>Sandboxes per language started ahead of requests, with the default limits (default: one per run slot); 0 starts each on demand.</summary>
    public int? WarmRuns { get; set; }

    public int WarmRunsPerLanguage => WarmRuns ?? MaxConcurrentRuns;

    public int MaxMemoryMb { get; set; } = 1024;

    /// <summary>Processes and threads of one run together (RLIMIT_NPROC inside the run's own user namespace, and its pids cgroup).</summary>
    public int MaxProcesses { get; set; } = 64;

    /// <summary>The largest file a run may write (RLIMIT_FSIZE).</summary>
    public long MaxFileBytes { get; set; } = 1024 * 1024;

    /// <summary>Size of each of the run's in-memory /tmp and working directory.</summary>
    public long TmpfsBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Output (stdout or stderr) past which a run is stopped with <c>output_limit</c>; answers carry at most 64 KiB of each.</summary>
    public long OutputLimitBytes { get; set; } = 1024 * 1024;

    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    public string BubblewrapPath { get; set; } = "/usr/bin/bwrap";
    public string RunscPath { get; set; } = "/usr/bin/runsc";
    public string PythonPath { get; set; } = "/usr/bin/python3";

    /// <summary>Empty turns JavaScript off.</summary>
    public string? NodePath { get; set; } = "/usr/bin/node";

    /// <summary>When the service runs as root, runs drop to this uid and gid on the host before entering the sandbox.</summary>
    public int RunAsUid { get; set; } = 65534;

    /// <summary><c>auto</c> (per-run memory and pids cgroups when cgroup v1 is writable) or <c>off</c>.</summary>
    public string Cgroups { get; set; } = "auto";

    /// <summary>Where the gVisor backend keeps its per-run bundles and state; the service's own, never visible to runs.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "learnplatform-sandbox");
}

public static class IsolationBackends
{
    public const string Bubblewrap = "bubblewrap";
    public const string Gvisor = "gvisor";
}
