using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace LearnPlatform.Sandbox.Isolation;

/// <summary>
/// gVisor: each run is its own gVisor sandbox (<c>runsc run</c> on an OCI bundle made for the run), so the program
/// talks to gVisor's user-space kernel, not the host's. The bundle's root is an empty read-only directory with only
/// the runtime's files bound read-only, in-memory /tmp and working directory, gVisor's own /proc, /sys and /dev,
/// uid 65534, no capabilities, and <c>--network=none</c> (a loopback device and nothing else). runsc needs root.
/// </summary>
internal sealed class GvisorBackend(SandboxOptions options) : IIsolationBackend
{
    /// <summary>Booting a gVisor sandbox takes most of a second; past this the start has failed.</summary>
    private static readonly TimeSpan BootLimit = TimeSpan.FromSeconds(20);

    /// <summary>Beyond the run's time limit, for the harness to read its input and compile the program (system calls are slower under gVisor).</summary>
    private static readonly TimeSpan WallAllowance = TimeSpan.FromSeconds(1);

    private static readonly string[] Namespaces = ["pid", "network", "ipc", "uts", "mount"];

    public string Name => IsolationBackends.Gvisor;

    public string? Unusable() =>
        !File.Exists(options.RunscPath) ? $"runsc not found at {options.RunscPath} (Sandbox__RunscPath)."
        : !Environment.IsPrivilegedProcess ? "the gvisor backend runs runsc, which needs root; use bubblewrap, or run the pod itself under gVisor (runtimeClassName)."
        : null;

    public async Task<SandboxLaunch> PrepareAsync(SandboxShape shape)
    {
        var id = $"lp-{Guid.NewGuid():N}";
        var state = Directory.CreateDirectory(Path.Combine(options.WorkDirectory, "runsc-state")).FullName;
        var bundle = Directory.CreateDirectory(Path.Combine(options.WorkDirectory, "bundles", id)).FullName;
        Directory.CreateDirectory(Path.Combine(bundle, "rootfs"));
        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), Spec(shape).ToJsonString(), CancellationToken.None);
        return new SandboxLaunch(shape, Runsc(state, "--network=none", "--ignore-cgroups", "run", "--bundle", bundle, id), BootLimit, WallAllowance,
            () => false,
            async () =>
            {
                await DeleteAsync(state, id);
                Directory.Delete(bundle, recursive: true);
            });
    }

    /// <summary>A killed <c>runsc run</c> may leave its sandbox and state behind: delete both.</summary>
    private async Task DeleteAsync(string state, string id)
    {
        using var process = Process.Start(Runsc(state, "delete", "--force", id))!;
        process.StandardOutput.Close();
        process.StandardError.Close();
        await process.WaitForExitAsync();
    }

    private ProcessStartInfo Runsc(string state, params string[] arguments)
    {
        var start = new ProcessStartInfo(options.RunscPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add($"--root={state}");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Clear();
        return start;
    }

    private JsonObject Spec(SandboxShape shape)
    {
        var tmpfs = $"size={options.TmpfsBytes.ToString(CultureInfo.InvariantCulture)}";
        var mounts = new JsonArray
        {
            Mount("/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", tmpfs),
            Mount("/work", "tmpfs", "tmpfs", "nosuid", "nodev", tmpfs),
        };
        foreach (var bind in shape.Runtime.Binds)
        {
            mounts.Add(Mount(bind.Target, "bind", bind.Source, "rbind", "ro", "nosuid", "nodev"));
        }
        return new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["user"] = new JsonObject { ["uid"] = 65534, ["gid"] = 65534 },
                ["args"] = new JsonArray([.. RunRlimits.Command(shape, options).Select(a => (JsonNode)a!)]),
                ["env"] = new JsonArray([.. RunRlimits.Environment.Select(e => (JsonNode)$"{e.Key}={e.Value}"!)]),
                ["cwd"] = "/work",
                ["noNewPrivileges"] = true,
                ["capabilities"] = new JsonObject { ["bounding"] = new JsonArray(), ["effective"] = new JsonArray(), ["permitted"] = new JsonArray() },
            },
            ["root"] = new JsonObject { ["path"] = "rootfs", ["readonly"] = true },
            ["hostname"] = "sandbox",
            ["mounts"] = mounts,
            ["linux"] = new JsonObject
            {
                ["namespaces"] = new JsonArray([.. Namespaces.Select(n => (JsonNode)new JsonObject { ["type"] = n })]),
            },
        };
    }

    private static JsonObject Mount(string destination, string type, string source, params string[] mountOptions) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = new JsonArray([.. mountOptions.Select(o => (JsonNode)o!)]),
    };
}
