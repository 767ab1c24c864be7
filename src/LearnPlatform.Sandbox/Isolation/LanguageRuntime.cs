namespace LearnPlatform.Sandbox.Isolation;

/// <summary>A host path shown read-only inside the sandbox at <paramref name="Target"/>.</summary>
internal sealed record ReadOnlyBind(string Source, string Target);

/// <summary>
/// What a run of one language sees: only these read-only files and directories (the interpreter, its standard
/// library, the shared libraries they load, and prlimit), and the command that starts the harness.
/// </summary>
internal sealed record LanguageRuntime(string Language, IReadOnlyList<ReadOnlyBind> Binds, Func<int, IReadOnlyList<string>> Command, Func<int, long> AddressSpaceBytes)
{
    /// <summary>Inside the sandbox; it sets the run's rlimits, then executes the interpreter.</summary>
    public const string Prlimit = "/usr/bin/prlimit";
}
