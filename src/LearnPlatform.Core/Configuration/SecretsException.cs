namespace LearnPlatform.Core.Configuration;

/// <summary>A secret the hosts need at start-up is missing or cannot be read; the message is one line and never holds a secret value.</summary>
public sealed class SecretsException(string message) : Exception(message);
