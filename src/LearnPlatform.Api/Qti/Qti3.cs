using System.Xml.Linq;

namespace LearnPlatform.Api.Qti;

/// <summary>Names of QTI 3.0 (Assessment, Section and Item; Content Packaging profile) and of this service's own extension.</summary>
public static class Qti3
{
    public static readonly XNamespace Asi = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0";
    public static readonly XNamespace Cp = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1";

    /// <summary>Settings QTI has no place for (attempts, guest access, mode, hints, AI fallback), in a file of their own.</summary>
    public static readonly XNamespace Extension = "urn:learnplatform:qti:paper-settings:v1";

    public const string ManifestPath = "imsmanifest.xml";
    public const string TestPath = "assessment.xml";
    public const string ExtensionPath = "learnplatform-settings.xml";

    public const string ItemResource = "imsqti_item_xmlv3p0";
    public const string TestResource = "imsqti_test_xmlv3p0";
    public const string ExtensionResource = "extension";

    public const string ResponseId = "RESPONSE";
    public const string MapResponseTemplate = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml";

    /// <summary>Where errors about the package as a whole (rather than one item) are reported.</summary>
    public const string PackageKey = "package";

    /// <summary>
    /// A question id as a QTI identifier (an NCName): ids that start with a digit, '-' or '_' get one more '_' in front,
    /// which <see cref="QuestionId"/> removes again, so every id survives the round trip.
    /// </summary>
    public static string Identifier(string questionId) =>
        questionId[0] is >= '0' and <= '9' or '-' or '_' ? "_" + questionId : questionId;

    public static string QuestionId(string identifier) => identifier.StartsWith('_') ? identifier[1..] : identifier;
}
