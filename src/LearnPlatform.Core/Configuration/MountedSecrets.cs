using Microsoft.Extensions.Configuration;

namespace LearnPlatform.Core.Configuration;

public static class MountedSecrets
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Secrets mounted by Kubernetes as one file per key (e.g. a file named ConnectionStrings__Postgres) in the
    /// folder named by Secrets__Directory. Changed files are seen without a restart, within about a second
    /// (directory events) and at worst at the next poll (Secrets__PollInterval), by settings read through
    /// IOptionsMonitor or IConfiguration.
    /// </summary>
    public static IConfigurationManager AddMountedSecrets(this IConfigurationManager configuration)
    {
        var directory = configuration["Secrets:Directory"];
        if (string.IsNullOrWhiteSpace(directory))
        {
            return configuration;
        }
        if (!Directory.Exists(directory))
        {
            throw new SecretsException($"Secrets__Directory={directory} does not exist.");
        }
        var poll = configuration["Secrets:PollInterval"] is { Length: > 0 } text
            ? TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed >= TimeSpan.Zero
                ? parsed
                : throw new SecretsException($"Secrets__PollInterval={text} is not a time span (hh:mm:ss; 00:00:00 turns polling off).")
            : DefaultPollInterval;
        var watch = configuration.GetValue("Secrets:Watch", true);
        configuration.Add(new MountedSecretsSource(Path.GetFullPath(directory), poll, watch));
        return configuration;
    }
}
