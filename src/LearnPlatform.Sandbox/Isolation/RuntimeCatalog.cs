using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using LearnPlatform.Sandbox.Client;

namespace LearnPlatform.Sandbox.Isolation;

/// <summary>
/// Finds, once per language, exactly which host files its runtime needs: the interpreter, the directories on its
/// own module path, and (through ldd) every shared library those load. Nothing else of the host is shown to a run.
/// </summary>
internal sealed class RuntimeCatalog(SandboxOptions options)
{
    private const string PythonInSandbox = "/usr/bin/python3";
    private const string NodeInSandbox = "/usr/bin/node";
    private static readonly string PythonHarness = Harness("harness.py");
    private static readonly string JavaScriptHarness = Harness("harness.js");

    /// <summary>V8 reserves far more address space than it uses; the heap itself is capped by --max-old-space-size.</summary>
    private const long NodeReservationBytes = 1024L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Lazy<Task<LanguageRuntime>>> runtimes = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Languages =>
        string.IsNullOrWhiteSpace(options.NodePath) ? [RunLanguages.Python] : RunLanguages.All;

    /// <exception cref="RuntimeUnavailableException">The runtime is missing or cannot be inspected.</exception>
    public async Task<LanguageRuntime> GetAsync(string language)
    {
        var lazy = runtimes.GetOrAdd(language, l => new Lazy<Task<LanguageRuntime>>(() => DiscoverAsync(l)));
        try
        {
            return await lazy.Value;
        }
        catch (RuntimeUnavailableException)
        {
            // Not cached: an operator may install the runtime while the service runs.
            runtimes.TryRemove(new KeyValuePair<string, Lazy<Task<LanguageRuntime>>>(language, lazy));
            throw;
        }
    }

    private Task<LanguageRuntime> DiscoverAsync(string language) => language switch
    {
        RunLanguages.Python => PythonAsync(),
        RunLanguages.JavaScript when !string.IsNullOrWhiteSpace(options.NodePath) => NodeAsync(options.NodePath),
        _ => throw new RuntimeUnavailableException($"{language} is not offered by this sandbox service."),
    };

    private async Task<LanguageRuntime> PythonAsync()
    {
        var python = Resolve(options.PythonPath, "python3 (Sandbox__PythonPath)");
        // -I -S: no environment variables, no user or site packages; the module path is the standard library alone.
        var path = JsonSerializer.Deserialize<string[]>(await CaptureAsync(python, "-I", "-S", "-c", "import json, sys; print(json.dumps(sys.path[1:]))"))!;
        var directories = path.Where(Directory.Exists).Select(Path.GetFullPath).ToList();
        directories.RemoveAll(d => directories.Any(outer => d.StartsWith(outer + "/", StringComparison.Ordinal)));
        var binds = new List<ReadOnlyBind> { new(python, PythonInSandbox) };
        binds.AddRange(directories.Select(d => new ReadOnlyBind(d, d)));
        var objects = directories.SelectMany(d => Directory.EnumerateFiles(d, "*.so", SearchOption.AllDirectories)).Prepend(python);
        binds.AddRange(await SharedLibrariesAsync(objects));
        return new LanguageRuntime(RunLanguages.Python, [.. binds, .. await PrlimitAsync()],
            _ => [PythonInSandbox, "-I", "-S", "-c", PythonHarness],
            memoryMb => memoryMb * 1024L * 1024);
    }

    private static async Task<LanguageRuntime> NodeAsync(string nodePath)
    {
        var node = Resolve(nodePath, "node (Sandbox__NodePath)");
        var binds = new List<ReadOnlyBind> { new(node, NodeInSandbox) };
        binds.AddRange(await SharedLibrariesAsync([node]));
        return new LanguageRuntime(RunLanguages.JavaScript, [.. binds, .. await PrlimitAsync()],
            memoryMb => [NodeInSandbox, $"--max-old-space-size={memoryMb}", "-e", JavaScriptHarness],
            memoryMb => memoryMb * 1024L * 1024 + NodeReservationBytes);
    }

    private static async Task<IEnumerable<ReadOnlyBind>> PrlimitAsync()
    {
        var prlimit = Resolve(LanguageRuntime.Prlimit, "prlimit (util-linux)");
        return [new ReadOnlyBind(prlimit, LanguageRuntime.Prlimit), .. await SharedLibrariesAsync([prlimit])];
    }

    /// <summary>Each library at the path the dynamic loader looks for it, bound from its real file.</summary>
    private static async Task<IEnumerable<ReadOnlyBind>> SharedLibrariesAsync(IEnumerable<string> objects)
    {
        var libraries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in objects)
        {
            foreach (var line in (await CaptureAsync("ldd", file, allowFailure: true)).Split('\n'))
            {
                // "libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
                var text = line.Trim();
                var arrow = text.IndexOf("=> ", StringComparison.Ordinal);
                var path = (arrow >= 0 ? text[(arrow + 3)..] : text).Split(' ')[0];
                if (path.StartsWith('/') && File.Exists(path))
                {
                    libraries.TryAdd(path, Path.GetFullPath(new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path));
                }
            }
        }
        return libraries.Select(l => new ReadOnlyBind(l.Value, l.Key));
    }

    private static string Resolve(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new RuntimeUnavailableException($"{what} not found at {path}.");
        }
        return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
    }

    private static Task<string> CaptureAsync(string program, params string[] arguments) => CaptureAsync(program, arguments, allowFailure: false);

    private static Task<string> CaptureAsync(string program, string argument, bool allowFailure) => CaptureAsync(program, [argument], allowFailure);

    private static async Task<string> CaptureAsync(string program, string[] arguments, bool allowFailure)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0 && !allowFailure)
            {
                throw new RuntimeUnavailableException($"{program} failed ({process.ExitCode}): {FirstLine(await error)}");
            }
            return await output;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RuntimeUnavailableException($"{program} cannot be started: {e.Message}");
        }
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";

    private static string Harness(string name)
    {
        using var stream = typeof(RuntimeCatalog).Assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>The isolation or a language runtime cannot be used on this machine; the message is one line for operators.</summary>
internal sealed class RuntimeUnavailableException(string message) : Exception(message);
