using Microsoft.Extensions.Configuration;

namespace LearnPlatform.Core.Configuration;

public static class MountedSecrets
{
    /// <summary>
    /// Secrets mounted by Kubernetes as one file per key (e.g. a file named ConnectionStrings__Postgres) in the
    /// folder named by Secrets__Directory. Files are re-read when they change, so rotating a secret needs no restart
    /// for settings read through IOptionsMonitor.
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
            throw new DirectoryNotFoundException($"Secrets__Directory={directory} does not exist.");
        }
        configuration.AddKeyPerFile(directory, optional: false, reloadOnChange: true);
        return configuration;
    }
}
