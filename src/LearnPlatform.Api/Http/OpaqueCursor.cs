using System.Buffers.Text;
using System.Text;

namespace LearnPlatform.Api.Http;

/// <summary>
/// Keyset cursors handed to clients as opaque strings. They are not secret (a client could forge one only to
/// page its own tenant's data), just not part of the contract: clients pass them back unchanged.
/// </summary>
public static class OpaqueCursor
{
    public static string Encode(string kind, string position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{kind}:{position}"));

    /// <summary>The position inside a cursor of <paramref name="kind"/>, or null for anything else.</summary>
    public static string? Decode(string kind, string cursor)
    {
        if (cursor.Length is 0 or > 1024)
        {
            return null;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith(kind + ":", StringComparison.Ordinal) ? text[(kind.Length + 1)..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
