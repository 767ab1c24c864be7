namespace LearnPlatform.Sandbox.Isolation;

/// <summary>One program run: the runtime, what the harness reads on stdin, and the limits in force.</summary>
internal sealed record SandboxRun(LanguageRuntime Runtime, byte[] Input, int TimeMs, int MemoryMb, long StdoutLimit, long StderrLimit);

/// <summary>A way to run a program isolated from the host. There is no backend that runs code without isolation.</summary>
internal interface IIsolationBackend
{
    string Name { get; }

    /// <summary>One line saying why this backend cannot work here (a missing binary), or null; cheap, no run.</summary>
    string? Unusable();

    /// <exception cref="RuntimeUnavailableException">The backend failed to start the run.</exception>
    Task<ProcessOutcome> RunAsync(SandboxRun run, CancellationToken cancellationToken);
}
