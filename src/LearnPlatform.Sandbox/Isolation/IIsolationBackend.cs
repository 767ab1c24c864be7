using System.Diagnostics;

namespace LearnPlatform.Sandbox.Isolation;

/// <summary>What a sandbox is started with, before any program exists: the runtime and the limits set at its start.</summary>
internal sealed record SandboxShape(LanguageRuntime Runtime, int TimeMs, int MemoryMb);

/// <summary>
/// One sandbox prepared by a backend: the command that starts it, the longest its start may take, whether the
/// kernel's OOM killer ended a process of it, and what to remove once it is gone.
/// </summary>
internal sealed record SandboxLaunch(SandboxShape Shape, ProcessStartInfo Start, TimeSpan BootLimit, TimeSpan WallAllowance, Func<bool> OutOfMemory, Func<Task> ReleaseAsync);

/// <summary>A way to run a program isolated from the host. There is no backend that runs code without isolation.</summary>
internal interface IIsolationBackend
{
    string Name { get; }

    /// <summary>One line saying why this backend cannot work here (a missing binary), or null; cheap, no run.</summary>
    string? Unusable();

    /// <summary>Makes what one sandbox needs (its cgroups or its OCI bundle) and the command that starts it.</summary>
    Task<SandboxLaunch> PrepareAsync(SandboxShape shape);
}
