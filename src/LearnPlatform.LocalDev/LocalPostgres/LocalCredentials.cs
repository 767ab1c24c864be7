using System.Security.Cryptography;
using System.Text.Json;

namespace LearnPlatform.LocalDev.LocalPostgres;

/// <summary>Passwords of a local cluster's roles, generated once and kept beside the data (mode 0600, git-ignored).</summary>
public sealed record LocalCredentials(string SuperuserPassword, string OwnerPassword, string AppPassword)
{
    public static LocalCredentials LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return JsonSerializer.Deserialize<LocalCredentials>(File.ReadAllText(path))
                ?? throw new LocalPostgresException($"{path} is unreadable; delete the folder to start afresh.");
        }

        var credentials = new LocalCredentials(NewPassword(), NewPassword(), NewPassword());
        File.WriteAllText(path, JsonSerializer.Serialize(credentials));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return credentials;
    }

    private static string NewPassword() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
}
