using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.HttpOverrides;

namespace LearnPlatform.Api.Http;

/// <summary>Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; from anyone else they are ignored.</summary>
public sealed class NetworkOptions
{
    /// <summary>Addresses of individual proxies, e.g. <c>10.0.0.10</c>.</summary>
    public List<string> TrustedProxies { get; } = [];

    /// <summary>Networks of proxies in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> TrustedNetworks { get; } = [];
}

public static class ClientAddress
{
    /// <summary>
    /// Forwarded headers are honoured only from configured proxies (the framework's default trust of loopback is
    /// cleared), walking X-Forwarded-For from the right until the first address that is not a trusted proxy.
    /// </summary>
    public static IServiceCollection AddClientAddress(this IServiceCollection services, IConfiguration configuration)
    {
        var network = new NetworkOptions();
        configuration.GetSection("Network").Bind(network);
        var proxies = network.TrustedProxies.Select(p => IPAddress.TryParse(p, out var address)
            ? address
            : throw new StartupException($"Network:TrustedProxies: '{p}' is not an IP address.")).ToList();
        var networks = network.TrustedNetworks.Select(n => System.Net.IPNetwork.TryParse(n, out var parsed)
            ? parsed
            : throw new StartupException($"Network:TrustedNetworks: '{n}' is not a network in CIDR notation (e.g. 10.0.0.0/8).")).ToList();

        return services.Configure<ForwardedHeadersOptions>(options =>
        {
            // With no proxy listed the middleware would believe every peer: off instead.
            options.ForwardedHeaders = proxies.Count + networks.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            // No fixed hop count: the walk stops at the first untrusted address, whatever a client prepends.
            options.ForwardLimit = null;
            proxies.ForEach(options.KnownProxies.Add);
            networks.ForEach(options.KnownIPNetworks.Add);
        });
    }

    /// <summary>
    /// The partition a client address counts against: the address itself for IPv4, its /64 for IPv6
    /// (one subscriber's allocation, so rotating within it gains nothing).
    /// </summary>
    public static string PartitionOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "none";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
