using System.Security.Cryptography;
using System.Text;

namespace LearnPlatform.Sandbox.Access;

/// <summary>
/// The secret callers must present, from <c>Sandbox__Secret</c> or the file named by <c>Sandbox__SecretFile</c>.
/// Only its SHA-256 is kept; a file is re-read periodically so a rotated mounted Secret applies without a restart.
/// </summary>
public sealed class SharedSecret : IDisposable
{
    private static readonly TimeSpan FileRefresh = TimeSpan.FromSeconds(30);
    private readonly string? file;
    private readonly ILogger<SharedSecret> logger;
    private readonly Timer? refresh;
    private byte[] hash;

    private SharedSecret(byte[] hash, string? file, ILogger<SharedSecret> logger)
    {
        this.hash = hash;
        this.file = file;
        this.logger = logger;
        if (file is not null)
        {
            refresh = new Timer(_ => Refresh(), null, FileRefresh, FileRefresh);
        }
    }

    /// <summary>The one-line reason the service cannot start, or null.</summary>
    public static string? Problem(SandboxOptions options)
    {
        try
        {
            _ = Read(options);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    public static SharedSecret Create(SandboxOptions options, ILogger<SharedSecret> logger) =>
        new(Hash(Read(options)), string.IsNullOrWhiteSpace(options.Secret) ? options.SecretFile : null, logger);

    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Hash(presented), Volatile.Read(ref hash));

    private void Refresh()
    {
        try
        {
            var fresh = Hash(ReadFile(file!));
            Volatile.Write(ref hash, fresh);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            SandboxLog.SecretNotRefreshed(logger, e.Message);
        }
    }

    private static string Read(SandboxOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Secret))
        {
            return Checked(options.Secret, "Sandbox__Secret");
        }
        if (!string.IsNullOrWhiteSpace(options.SecretFile))
        {
            try
            {
                return ReadFile(options.SecretFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"Sandbox__SecretFile={options.SecretFile} cannot be read: {e.Message}");
            }
        }
        throw new InvalidOperationException($"Sandbox__Secret is not set: the sandbox service needs a shared secret of at least {SandboxOptions.MinSecretLength} characters (or Sandbox__SecretFile naming a file that holds it).");
    }

    private static string ReadFile(string path) =>
        Checked(File.ReadAllText(path).TrimEnd('\r', '\n'), $"The secret in Sandbox__SecretFile={path}");

    private static string Checked(string secret, string what) =>
        secret.Length >= SandboxOptions.MinSecretLength
            ? secret
            : throw new InvalidOperationException($"{what} is shorter than {SandboxOptions.MinSecretLength} characters.");

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    public void Dispose() => refresh?.Dispose();
}
