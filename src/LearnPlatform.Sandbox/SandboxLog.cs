namespace LearnPlatform.Sandbox;

/// <summary>The service's own log lines. None carries code, tests, output or the secret.</summary>
internal static partial class SandboxLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox isolation {Backend}; {Slots} runs at once, {Queue} waiting; {Warm} sandboxes per language started ahead; per-run cgroups: {Cgroups}.")]
    public static partial void Started(ILogger logger, string backend, int slots, int queue, int warm, string cgroups);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Backend} backend is ready.")]
    public static partial void Ready(ILogger logger, string backend);

    [LoggerMessage(Level = LogLevel.Error, Message = "Not ready: {Reason}")]
    public static partial void NotReady(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path} from {ClientAddress}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string? path, string? clientAddress, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A run could not start: {Reason}")]
    public static partial void RunFailedToStart(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not start a sandbox ahead of requests (next try in {Seconds} s): {Reason}")]
    public static partial void WarmStartFailed(ILogger logger, string reason, int seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Keeping the previous sandbox secret: {Reason}")]
    public static partial void SecretNotRefreshed(ILogger logger, string reason);
}
