using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Core.Webhooks;

/// <summary>
/// SSRF protection: which destinations webhooks may reach. Checked when an endpoint is registered and again on every
/// connection of a delivery, where the name is resolved once, every address checked, and the socket connected to
/// those addresses only, so a DNS answer that changes between check and connect (rebinding) cannot slip through.
/// </summary>
public sealed class WebhookDestinations
{
    private static readonly (IPNetwork Network, string Reason)[] Refused =
    [
        // Cloud metadata services first: they sit inside the link-local, CGNAT and ULA ranges below.
        (IPNetwork.Parse("169.254.169.254/32"), "a cloud metadata address"),
        (IPNetwork.Parse("169.254.170.2/32"), "a cloud metadata address"),
        (IPNetwork.Parse("100.100.100.200/32"), "a cloud metadata address"),
        (IPNetwork.Parse("fd00:ec2::254/128"), "a cloud metadata address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address"),
        (IPNetwork.Parse("fc00::/7"), "a private address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("100.64.0.0/10"), "a CGNAT (shared) address"),
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified address"),
        (IPNetwork.Parse("::/128"), "an unspecified address"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved address"),
    ];

    private static readonly HashSet<string> MetadataHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
    };

    public WebhookDestinations(IOptions<WebhookOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ChecksEnforced = !(options.Value.AllowPrivateNetworks ?? !environment.IsProduction());
    }

    /// <summary>False when Webhooks:AllowPrivateNetworks is true (or unset outside Production): any http(s) destination goes.</summary>
    public bool ChecksEnforced { get; }

    /// <summary>Why an address may not be a destination, or null when it may.</summary>
    public static string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        foreach (var (network, reason) in Refused)
        {
            if (network.Contains(address))
            {
                return reason;
            }
        }
        return null;
    }

    /// <summary>At registration: why <paramref name="url"/> may not be an endpoint (its scheme, its name, what it resolves to), or null.</summary>
    public async Task<string?> RefusalAsync(Uri url, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!ChecksEnforced)
        {
            return null;
        }
        if (url.Scheme != Uri.UriSchemeHttps)
        {
            return "must be an https URL.";
        }
        try
        {
            // A name that does not resolve yet is accepted: it is checked again on every delivery.
            await ResolveCheckedAsync(url.IdnHost, requireAddress: false, ct);
            return null;
        }
        catch (WebhookDestinationRefusedException e)
        {
            return e.Message;
        }
    }

    /// <summary>The ConnectCallback of the delivery client: resolve, check every address, connect to the checked ones.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.DnsEndPoint;
        if (ChecksEnforced && context.InitialRequestMessage.RequestUri?.Scheme != Uri.UriSchemeHttps)
        {
            throw new WebhookDestinationRefusedException("must be an https URL.");
        }
        var addresses = ChecksEnforced ? await ResolveCheckedAsync(endpoint.Host, requireAddress: true, ct) : await ResolveAsync(endpoint.Host, ct);
        if (addresses.Length == 0)
        {
            throw new WebhookDestinationRefusedException($"{endpoint.Host} does not resolve.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveCheckedAsync(string host, bool requireAddress, CancellationToken ct)
    {
        if (MetadataHosts.Contains(host.TrimEnd('.')))
        {
            throw new WebhookDestinationRefusedException($"{host} is a cloud metadata service.");
        }
        var addresses = await ResolveAsync(host, ct);
        if (requireAddress && addresses.Length == 0)
        {
            throw new WebhookDestinationRefusedException($"{host} does not resolve.");
        }
        foreach (var address in addresses)
        {
            if (Refusal(address) is { } reason)
            {
                throw new WebhookDestinationRefusedException(host == address.ToString() ? $"{host} is {reason}." : $"{host} resolves to {reason} ({address}).");
            }
        }
        return addresses;
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }
        try
        {
            return await Dns.GetHostAddressesAsync(host, ct);
        }
        catch (SocketException)
        {
            return [];
        }
    }
}

/// <summary>A destination the SSRF checks refuse; its message says why, in words fit for an admin.</summary>
public sealed class WebhookDestinationRefusedException(string message) : Exception(message);
