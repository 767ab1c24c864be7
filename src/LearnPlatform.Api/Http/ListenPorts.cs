using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LearnPlatform.Api.Http;

/// <summary>
/// Checks the ports Kestrel is configured to bind before it tries, so a port in use is one clear line
/// rather than the host's failure log with a stack trace.
/// </summary>
public static class ListenPorts
{
    public static void EnsureFree(IConfiguration configuration)
    {
        foreach (var port in Configured(configuration))
        {
            try
            {
                using var probe = new TcpListener(IPAddress.Any, port);
                probe.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                probe.Start();
            }
            catch (SocketException)
            {
                throw new StartupException($"Port {port} is in use: stop whatever holds it, or choose another with ASPNETCORE_URLS.");
            }
        }
    }

    private static IEnumerable<int> Configured(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
        {
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(url => Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : 0)
                .Where(port => port > 0);
        }
        var ports = configuration["http_ports"];
        return string.IsNullOrWhiteSpace(ports)
            ? []
            : ports.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => int.TryParse(p, CultureInfo.InvariantCulture, out var port) ? port : 0).Where(port => port > 0);
    }
}
