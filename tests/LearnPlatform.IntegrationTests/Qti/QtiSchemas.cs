using System.Xml;
using System.Xml.Schema;

namespace LearnPlatform.IntegrationTests.Qti;

/// <summary>
/// The QTI 3.0 XSDs kept under Qti/Schemas (sources and licences in its README): the ASI schema for items and tests,
/// the content packaging profile for the manifest. Loaded offline: the one remote schemaLocation maps to a local copy,
/// and any other would fail.
/// </summary>
public static class QtiSchemas
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Qti", "Schemas");

    public static readonly Lazy<XmlSchemaSet> Asi = new(() => Load("qtiv3p0/imsqti_asiv3p0_sbacv1p0_v1p0.xsd"));
    public static readonly Lazy<XmlSchemaSet> Manifest = new(() => Load("qtiv3p0/imsqtiv3p0_imscpv1p2_v1p0.xsd"));

    /// <summary>Every error and warning (an element the schema does not know is a warning) validating <paramref name="xml"/>.</summary>
    public static List<string> Validate(XmlSchemaSet schemas, byte[] xml)
    {
        var problems = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas, DtdProcessing = DtdProcessing.Prohibit };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => problems.Add($"{e.Severity} line {e.Exception?.LineNumber}: {e.Message}");
        using var reader = XmlReader.Create(new MemoryStream(xml), settings);
        while (reader.Read())
        {
        }
        return problems;
    }

    private static XmlSchemaSet Load(string path)
    {
        var set = new XmlSchemaSet { XmlResolver = new LocalResolver() };
        var problems = new List<string>();
        set.ValidationEventHandler += (_, e) => problems.Add(e.Message);
        using (var reader = XmlReader.Create(Path.Combine(Root, path), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = new LocalResolver() }))
        {
            set.Add(null, reader);
        }
        set.Compile();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"{path} does not compile: {string.Join("; ", problems)}");
        }
        return set;
    }

    private sealed class LocalResolver : XmlUrlResolver
    {
        private static readonly Dictionary<string, string> Remote = new(StringComparer.Ordinal)
        {
            ["https://purl.imsglobal.org/spec/w3/1999/schema/xsd/xlink.xsd"] = "w3/xlink.xsd",
        };

        public override Uri ResolveUri(Uri? baseUri, string? relativeUri)
        {
            if (relativeUri is not null && Remote.TryGetValue(relativeUri, out var local))
            {
                return new Uri(Path.Combine(Root, local));
            }
            var resolved = base.ResolveUri(baseUri, relativeUri);
            return resolved.IsFile ? resolved : throw new InvalidOperationException($"{resolved} is not a local schema");
        }
    }
}
