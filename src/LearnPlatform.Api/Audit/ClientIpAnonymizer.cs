using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace LearnPlatform.Api.Audit;

public enum ClientIpMode
{
    Truncate,
    Hash,
    None,
}

/// <summary>
/// The client address as the audit trail stores it: the network only (IPv4 /24, IPv6 /48), a keyed hash
/// (HMAC-SHA256, so equal addresses correlate without being recoverable by anyone lacking the key), or nothing.
/// </summary>
public sealed class ClientIpAnonymizer
{
    public const int MinKeyLength = 32;

    private readonly ClientIpMode mode;
    private readonly byte[]? key;

    public ClientIpAnonymizer(ClientIpMode mode, string? hashKey)
    {
        this.mode = mode;
        if (mode == ClientIpMode.Hash)
        {
            if (string.IsNullOrEmpty(hashKey) || hashKey.Length < MinKeyLength)
            {
                throw new ArgumentException($"Audit:IpHashKey must be at least {MinKeyLength} characters.", nameof(hashKey));
            }
            key = Encoding.UTF8.GetBytes(hashKey);
        }
    }

    /// <summary>Reads Audit:ClientIp and Audit:IpHashKey; a misconfiguration is a startup error of one line.</summary>
    public static ClientIpAnonymizer FromConfiguration(IConfiguration configuration)
    {
        var configured = configuration["Audit:ClientIp"];
        ClientIpMode mode;
        if (string.IsNullOrWhiteSpace(configured))
        {
            mode = ClientIpMode.Truncate;
        }
        else if (!Enum.TryParse(configured, ignoreCase: true, out mode) || !Enum.IsDefined(mode) || int.TryParse(configured, out _))
        {
            throw new StartupException("Audit:ClientIp must be truncate, hash or none.");
        }

        var hashKey = configuration["Audit:IpHashKey"];
        if (mode == ClientIpMode.Hash && (string.IsNullOrEmpty(hashKey) || hashKey.Length < MinKeyLength))
        {
            throw new StartupException(
                $"Audit:ClientIp is hash but the secret Audit:IpHashKey (file or variable Audit__IpHashKey) is missing or shorter than {MinKeyLength} characters; set it, or use Audit:ClientIp truncate or none.");
        }
        return new ClientIpAnonymizer(mode, hashKey);
    }

    public string? Anonymize(IPAddress? address)
    {
        if (address is null || mode == ClientIpMode.None)
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return mode == ClientIpMode.Hash ? Hash(address) : Truncate(address);
    }

    private string Hash(IPAddress address) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key!, address.GetAddressBytes()));

    private static string Truncate(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        var (keep, prefix) = address.AddressFamily == AddressFamily.InterNetwork ? (3, 24) : (6, 48);
        Array.Clear(bytes, keep, bytes.Length - keep);
        return $"{new IPAddress(bytes)}/{prefix}";
    }
}

public static class ClientIpExtensions
{
    /// <summary>This request's client address as the audit trail stores it.</summary>
    public static string? AuditClientIp(this HttpContext context) =>
        context.RequestServices.GetRequiredService<ClientIpAnonymizer>().Anonymize(context.Connection.RemoteIpAddress);
}
