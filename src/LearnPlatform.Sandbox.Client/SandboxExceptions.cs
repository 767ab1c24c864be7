namespace LearnPlatform.Sandbox.Client;

/// <summary>A failure of the sandbox service that says nothing about the program: retry later.</summary>
public sealed class SandboxUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The service's <c>Retry-After</c>, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>The service refused the request or answered something unreadable: retrying the same request cannot help.</summary>
public sealed class SandboxRequestException(string message, int? statusCode = null, Exception? inner = null) : Exception(message, inner)
{
    public int? StatusCode { get; } = statusCode;
}
