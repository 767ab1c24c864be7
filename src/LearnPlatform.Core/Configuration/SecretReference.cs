using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace LearnPlatform.Core.Configuration;

/// <summary>
/// A configuration value of the form <c>sm://projects/P/secrets/S/versions/V</c>: a Google Secret Manager
/// secret version whose payload replaces the value at start-up.
/// </summary>
public sealed partial record SecretReference(string Project, string Secret, string Version)
{
    public const string Scheme = "sm://";

    public string ResourceName => $"projects/{Project}/secrets/{Secret}/versions/{Version}";

    public override string ToString() => Scheme + ResourceName;

    /// <summary>True when the value claims to be a reference, well formed or not.</summary>
    public static bool LooksLikeReference(string? value) => value is not null && value.StartsWith(Scheme, StringComparison.Ordinal);

    public static bool TryParse(string? value, [NotNullWhen(true)] out SecretReference? reference)
    {
        reference = null;
        if (!LooksLikeReference(value))
        {
            return false;
        }
        var match = Pattern().Match(value![Scheme.Length..]);
        if (!match.Success)
        {
            return false;
        }
        reference = new SecretReference(match.Groups["project"].Value, match.Groups["secret"].Value, match.Groups["version"].Value);
        return true;
    }

    // Project ids (6-30 lowercase letters, digits, hyphens) or project numbers; secret ids as Secret Manager
    // allows them (letters, digits, '-', '_', up to 255); a version number, "latest" or an alias.
    [GeneratedRegex(@"\Aprojects/(?<project>[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})/secrets/(?<secret>[A-Za-z0-9_-]{1,255})/versions/(?<version>latest|[1-9][0-9]{0,18}|[A-Za-z][A-Za-z0-9_-]{0,62})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
