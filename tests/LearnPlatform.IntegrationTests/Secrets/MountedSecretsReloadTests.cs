using System.Runtime.InteropServices;
using LearnPlatform.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LearnPlatform.IntegrationTests.Secrets;

/// <summary>Secret files rewritten in place, or swapped the way the kubelet swaps them, are seen without a restart.</summary>
public sealed class MountedSecretsReloadTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly string directory = Directory.CreateTempSubdirectory("learnplatform-mounted-").FullName;
    private int generation;

    public sealed class GeminiSettings
    {
        public string ApiKey { get; set; } = "";
    }

    public enum Detection { DirectoryEvents, PollingOnly }

    private ConfigurationManager Configuration(Detection detection)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Secrets:Directory"] = directory,
            // One mechanism at a time, so each is proven on its own.
            ["Secrets:PollInterval"] = detection == Detection.PollingOnly ? "00:00:00.200" : "00:00:00",
            ["Secrets:Watch"] = detection == Detection.DirectoryEvents ? "true" : "false",
        });
        configuration.AddMountedSecrets();
        return configuration;
    }

    private static IOptionsMonitor<GeminiSettings> Monitor(ConfigurationManager configuration) =>
        new ServiceCollection().Configure<GeminiSettings>(configuration.GetSection("Gemini")).BuildServiceProvider()
            .GetRequiredService<IOptionsMonitor<GeminiSettings>>();

    private static async Task<string> NextChangeAsync(IOptionsMonitor<GeminiSettings> monitor, Action change)
    {
        var changed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = monitor.OnChange(settings => changed.TrySetResult(settings.ApiKey));
        change();
        return await changed.Task.WaitAsync(Patience);
    }

    /// <summary>What the kubelet's atomic writer does: a new hidden directory, a new ..data symlink renamed over the old one.</summary>
    private void KubeletWrite(Dictionary<string, string> files)
    {
        var previous = Directory.Exists(Path.Combine(directory, "..data")) ? new DirectoryInfo(Path.Combine(directory, "..data")).ResolveLinkTarget(false)?.FullName : null;
        var version = Path.Combine(directory, $"..2026_11_22_10_00_{generation++:00}.{Environment.ProcessId}");
        Directory.CreateDirectory(version);
        foreach (var (name, value) in files)
        {
            File.WriteAllText(Path.Combine(version, name), value);
        }
        var temporary = Path.Combine(directory, "..data_tmp");
        File.CreateSymbolicLink(temporary, Path.GetFileName(version));
        Assert.Equal(0, rename(temporary, Path.Combine(directory, "..data")));
        foreach (var name in files.Keys.Where(name => !File.Exists(Path.Combine(directory, name)) && new FileInfo(Path.Combine(directory, name)).LinkTarget is null))
        {
            File.CreateSymbolicLink(Path.Combine(directory, name), Path.Combine("..data", name));
        }
        if (previous is not null)
        {
            Directory.Delete(previous, recursive: true);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int rename(string from, string to);

    [Theory]
    [InlineData(Detection.DirectoryEvents)]
    [InlineData(Detection.PollingOnly)]
    public async Task RewrittenFileIsSeenWithoutRestart(Detection detection)
    {
        var file = Path.Combine(directory, "Gemini__ApiKey");
        await File.WriteAllTextAsync(file, "key-one\n");
        using var configuration = Configuration(detection);
        var monitor = Monitor(configuration);
        Assert.Equal("key-one", monitor.CurrentValue.ApiKey);

        var seen = await NextChangeAsync(monitor, () => File.WriteAllText(file, "key-two\n"));

        Assert.Equal("key-two", seen);
        Assert.Equal("key-two", configuration["Gemini:ApiKey"]);
    }

    [Theory]
    [InlineData(Detection.DirectoryEvents)]
    [InlineData(Detection.PollingOnly)]
    public async Task KubeletSymlinkSwapIsSeenWithoutRestart(Detection detection)
    {
        KubeletWrite(new() { ["Gemini__ApiKey"] = "key-one", ["ConnectionStrings__Postgres"] = "Host=a" });
        using var configuration = Configuration(detection);
        var monitor = Monitor(configuration);
        Assert.Equal("key-one", monitor.CurrentValue.ApiKey);

        var seen = await NextChangeAsync(monitor, () => KubeletWrite(new() { ["Gemini__ApiKey"] = "key-two", ["ConnectionStrings__Postgres"] = "Host=a" }));

        Assert.Equal("key-two", seen);
        Assert.Equal("Host=a", configuration.GetConnectionString("Postgres"));
        var twice = await NextChangeAsync(monitor, () => KubeletWrite(new() { ["Gemini__ApiKey"] = "key-three", ["ConnectionStrings__Postgres"] = "Host=a" }));
        Assert.Equal("key-three", twice);
    }

    [Fact]
    public async Task KeyAddedToTheSecretAppears()
    {
        KubeletWrite(new() { ["ConnectionStrings__Postgres"] = "Host=a" });
        using var configuration = Configuration(Detection.DirectoryEvents);
        var monitor = Monitor(configuration);
        Assert.Equal("", monitor.CurrentValue.ApiKey);

        var seen = await NextChangeAsync(monitor, () => KubeletWrite(new() { ["ConnectionStrings__Postgres"] = "Host=a", ["Gemini__ApiKey"] = "new-key" }));

        Assert.Equal("new-key", seen);
    }

    [Fact]
    public void FileNamesMapToKeysAndTheKubeletsBookkeepingIsNotConfiguration()
    {
        KubeletWrite(new() { ["Gemini__ApiKey"] = "key-one\r\n", ["Audit__IpHashKey"] = "  spaced  " });
        Directory.CreateDirectory(Path.Combine(directory, "nested"));

        using var configuration = Configuration(Detection.DirectoryEvents);

        var keys = configuration.AsEnumerable().Select(e => e.Key).Where(k => !k.StartsWith("Secrets", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(["Audit", "Audit:IpHashKey", "Gemini", "Gemini:ApiKey"], keys);
        Assert.Equal("key-one", configuration["Gemini:ApiKey"]);
        Assert.Equal("  spaced  ", configuration["Audit:IpHashKey"]);
    }

    [Fact]
    public async Task UnchangedContentDoesNotReload()
    {
        var file = Path.Combine(directory, "Gemini__ApiKey");
        await File.WriteAllTextAsync(file, "same");
        using var configuration = Configuration(Detection.PollingOnly);
        var reloads = 0;
        using var subscription = Microsoft.Extensions.Primitives.ChangeToken.OnChange(((IConfiguration)configuration).GetReloadToken, () => Interlocked.Increment(ref reloads));

        await File.WriteAllTextAsync(file, "same");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(0, Volatile.Read(ref reloads));
        Assert.Equal("same", configuration["Gemini:ApiKey"]);
    }

    [Fact]
    public void MalformedPollIntervalIsAOneLineError()
    {
        using var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:Directory"] = directory, ["Secrets:PollInterval"] = "soon" });

        var error = Assert.Throws<SecretsException>(() => configuration.AddMountedSecrets());

        Assert.Equal("Secrets__PollInterval=soon is not a time span (hh:mm:ss; 00:00:00 turns polling off).", error.Message);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
