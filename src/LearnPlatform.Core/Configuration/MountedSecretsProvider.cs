using Microsoft.Extensions.Configuration;

namespace LearnPlatform.Core.Configuration;

/// <summary>
/// One file per key in a directory, as Kubernetes mounts a Secret: <c>Gemini__ApiKey</c> becomes
/// <c>Gemini:ApiKey</c>. The kubelet updates such a volume by writing a new hidden timestamped directory and
/// swapping the <c>..data</c> symlink to it, so the files' own timestamps and names never change and change
/// tokens keyed on them (PhysicalFileProvider ignores dot-prefixed entries) miss the update. Instead, any event
/// in the directory and a periodic poll both re-read every file and reload only when a value differs.
/// </summary>
internal sealed class MountedSecretsProvider : ConfigurationProvider, IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);
    private readonly string directory;
    private readonly Lock gate = new();
    private readonly Timer? poll;
    private readonly Timer? settle;
    private readonly FileSystemWatcher? watcher;

    public MountedSecretsProvider(string directory, TimeSpan pollInterval, bool watch)
    {
        this.directory = directory;
        if (pollInterval > TimeSpan.Zero)
        {
            poll = new Timer(_ => Refresh(), null, pollInterval, pollInterval);
        }
        if (watch)
        {
            settle = new Timer(_ => Refresh());
            watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            FileSystemEventHandler changed = (_, _) => settle.Change(Debounce, Timeout.InfiniteTimeSpan);
            watcher.Changed += changed;
            watcher.Created += changed;
            watcher.Deleted += changed;
            watcher.Renamed += (_, _) => settle.Change(Debounce, Timeout.InfiniteTimeSpan);
            watcher.Error += (_, _) => settle.Change(Debounce, Timeout.InfiniteTimeSpan);
            watcher.EnableRaisingEvents = true;
        }
    }

    public override void Load() => Data = Read(directory);

    private void Refresh()
    {
        lock (gate)
        {
            Dictionary<string, string?> fresh;
            try
            {
                fresh = Read(directory);
            }
            catch (IOException)
            {
                // Caught mid-swap or the volume went away for a moment: keep the last values, the next poll retries.
                return;
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
            if (Same(fresh, Data))
            {
                return;
            }
            Data = fresh;
        }
        OnReload();
    }

    internal static Dictionary<string, string?> Read(string directory)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in Directory.EnumerateFileSystemEntries(directory))
        {
            var name = Path.GetFileName(path);
            // Dot-prefixed entries are the kubelet's bookkeeping (..data, ..2026_11_22_...); File.Exists follows
            // symlinks and is false for directories.
            if (name.StartsWith('.') || !File.Exists(path))
            {
                continue;
            }
            data[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        return data;
    }

    private static bool Same(Dictionary<string, string?> a, IDictionary<string, string?> b) =>
        a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var value) && string.Equals(value, e.Value, StringComparison.Ordinal));

    public void Dispose()
    {
        watcher?.Dispose();
        settle?.Dispose();
        poll?.Dispose();
    }
}

internal sealed class MountedSecretsSource(string directory, TimeSpan pollInterval, bool watch) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new MountedSecretsProvider(directory, pollInterval, watch);
}
