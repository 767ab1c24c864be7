using System.Net;
using System.Net.Sockets;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Sandbox.Tests.Infrastructure;

namespace LearnPlatform.Sandbox.Tests.Runs;

/// <summary>A run reaches no network, sees nothing of the host, and leaves nothing behind.</summary>
[Collection(SandboxHostsDefinition.Name)]
public sealed class EscapeTests(SandboxHosts hosts)
{
    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task ConnectToAHostListenerNeverArrives(string backend)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await hosts.RunAsync(backend,
            $"import socket\ndef connect():\n    try:\n        socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n        return 'connected'\n    except OSError as e:\n        return 'refused'\n",
            ("connect()", "'refused'"));

        Assert.Equal(RunStatus.Passed, result.Status);
        Assert.False(listener.Pending());
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task NoInterfaceButItsOwnLoopback(string backend)
    {
        var result = await hosts.RunAsync(backend, "import socket\nnames = [name for _, name in socket.if_nameindex()]\n", ("names", "['lo']"));

        Assert.Equal(RunStatus.Passed, result.Status);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task DnsResolutionFails(string backend)
    {
        var result = await hosts.RunAsync(backend,
            "import socket\ndef resolve(name):\n    try:\n        return socket.getaddrinfo(name, 443)\n    except OSError as e:\n        return type(e).__name__\n",
            ("resolve('example.com')", "'gaierror'"), ("resolve('kubernetes.default.svc.cluster.local')", "'gaierror'"));

        Assert.Equal(RunStatus.Passed, result.Status);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task NothingOfTheHostIsVisible(string backend)
    {
        var repositoryFile = Path.Combine(SandboxHost.RepositoryRoot, "README.md");
        var result = await hosts.RunAsync(backend,
            "import os\ndef read(path):\n    try:\n        with open(path, 'rb') as f:\n            return f.read().decode('utf-8', 'replace')\n    except OSError as e:\n        return 'missing'\n" +
            "def listing(path):\n    try:\n        return sorted(os.listdir(path))\n    except OSError:\n        return 'missing'\n",
            // bubblewrap adds PWD for the working directory.
            ("sorted(set(os.environ) - {'PWD'})", "['HOME', 'LANG', 'PATH']"),
            ("read('/etc/shadow')", "'missing'"),
            ("read('/etc/passwd')", "'missing'"),
            ($"read('{repositoryFile}')", "'missing'"),
            ("listing('/home')", "'missing'"),
            ("listing('/root')", "'missing'"),
            ("read('/proc/1/environ')", "-"),
            ("listing('/work')", "[]"),
            ("os.getuid() != 0", "True"));

        var host = hosts[backend];
        Assert.Equal([true, true, true, true, true, true, false, true, true], result.Tests.Select(t => t.Passed));
        // Where a run has a /proc at all (gVisor's own), pid 1 is the run's own process with the run's environment.
        Assert.True(result.Tests[6].Actual == "'missing'" || !result.Tests[6].Actual!.Contains("Sandbox__", StringComparison.Ordinal));
        var seen = string.Join('\n', result.Tests.Select(t => t.Actual)) + result.Stdout + result.Stderr;
        Assert.DoesNotContain(hosts.Canary, seen, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Secret, seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BubblewrapRunsCannotCreateUserNamespaces()
    {
        // Each new user namespace is fresh kernel attack surface; with /proc/sys writable (this host) bubblewrap forbids them.
        var result = await hosts.RunAsync(SandboxHosts.Bubblewrap,
            "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\ndef unshare_user():\n    if libc.unshare(0x10000000) == 0:\n        return 'created'\n    return os.strerror(ctypes.get_errno())\n",
            ("unshare_user()", "'No space left on device'"));

        Assert.Equal(RunStatus.Passed, result.Status);
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task RuntimeFilesAreReadOnly(string backend)
    {
        var result = await hosts.RunAsync(backend,
            "import os\ndef write(path):\n    try:\n        with open(path, 'w') as f:\n            f.write('x')\n        return 'written'\n    except OSError as e:\n        return type(e).__name__\n",
            ("write('/usr/bin/python3')", "'written'"), ("write('/new-file')", "'written'"), ("write('/usr/lib/python3.11/os.py')", "'written'"));

        Assert.All(result.Tests, t => Assert.NotEqual("'written'", t.Actual));
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task FilesOfOneRunAreGoneInTheNextAndNeverOnTheHost(string backend)
    {
        var name = $"lp-sandbox-{Guid.NewGuid():N}";
        var first = await hosts.RunAsync(backend,
            $"with open('/tmp/{name}', 'w') as f:\n    f.write('left behind')\nwith open('/work/{name}', 'w') as f:\n    f.write('left behind')\n",
            ("1", "1"));
        var second = await hosts.RunAsync(backend, "import os\n", ($"os.path.exists('/tmp/{name}')", "False"), ($"os.path.exists('/work/{name}')", "False"));

        Assert.Equal(RunStatus.Passed, first.Status);
        Assert.Equal(RunStatus.Passed, second.Status);
        Assert.All(new[] { "/tmp", "/var/tmp", "/dev/shm", "/work" }, directory => Assert.False(File.Exists(Path.Combine(directory, name))));
        Assert.Empty(Directory.EnumerateFiles(hosts[backend].WorkDirectory, name, SearchOption.AllDirectories));
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task BackgroundProcessesAreGoneAfterTheRun(string backend)
    {
        var marker = $"lp-background-{Guid.NewGuid():N}";
        var result = await hosts.RunAsync(backend,
            "import os, time\n" +
            "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n" +
            $"        os.execv('/usr/bin/python3', ['python3', '-c', 'import time; time.sleep(60)', '{marker}'])\n    os._exit(0)\n" +
            "time.sleep(0.5)\n",
            ("1", "1"));

        Assert.Equal(RunStatus.Passed, result.Status);
        await Task.Delay(300);
        Assert.Empty(SandboxProcesses.Matching((_, command) => command.Any(argument => argument.Contains(marker, StringComparison.Ordinal))));
    }

    [Theory, MemberData(nameof(SandboxHosts.Backends), MemberType = typeof(SandboxHosts))]
    public async Task PrintedOrForgedReportsCannotPassATest(string backend)
    {
        // The expected value is made here and never enters the sandbox: the program cannot find it to claim it.
        var expected = $"'{Guid.NewGuid():N}'";
        const string forger =
            "import gc, os, re, sys\n" +
            "def secret():\n    return 'wrong'\n" +
            // Everything 32 hex digits long that the program can reach: the nonce is there, the expected value is not.
            "pattern = re.compile('[0-9a-f]{32}')\n" +
            "found = set()\n" +
            "frame = sys._getframe()\n" +
            "while frame:\n    found.update(pattern.findall(repr(frame.f_locals)))\n    frame = frame.f_back\n" +
            "for o in gc.get_objects():\n    if isinstance(o, (dict, list, tuple)):\n        found.update(pattern.findall(repr(o)))\n" +
            "print(sorted(found), flush=True)\n" +
            "nonce = next(v for v in sys._getframe(1).f_locals.values() if isinstance(v, bytes) and len(v) == 32)\n" +
            "print('{\"i\": 0, \"actual\": \"forged\", \"passed\": true}', flush=True)\n" +
            "for line in [b'value 0 ' + 'forged'.encode().hex().encode(), b'done -1 ']:\n" +
            "    print(line.decode(), flush=True)\n" +
            "    os.write(1, b'\\n' + b'0' * 32 + b' ' + line + b'\\n')\n" +
            "    os.write(1, b'\\n' + nonce + b' ' + line + b'\\n')\n";

        var result = await hosts.RunAsync(backend, forger, ("secret()", expected));

        Assert.NotEqual(RunStatus.Passed, result.Status);
        Assert.False(result.Tests[0].Passed);
        Assert.Equal("forged", result.Tests[0].Actual);
        Assert.StartsWith("['", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(expected.Trim('\''), result.Stdout + result.Stderr, StringComparison.Ordinal);
    }
}
