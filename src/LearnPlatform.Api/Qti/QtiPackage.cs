using System.IO.Compression;
using System.Xml;
using System.Xml.Linq;

namespace LearnPlatform.Api.Qti;

/// <summary>
/// An uploaded content package, opened as untrusted input: a bounded number of entries, sizes and expansion checked
/// before and while reading, entry names that could climb out of the package refused, and XML read with DTDs, entity
/// declarations and external resources refused. Nothing is ever written to disk.
/// </summary>
public sealed class QtiPackage : IDisposable
{
    private readonly ZipArchive archive;
    private readonly Dictionary<string, ZipArchiveEntry> entries;
    private long bytesRead;

    private QtiPackage(ZipArchive archive, Dictionary<string, ZipArchiveEntry> entries)
    {
        this.archive = archive;
        this.entries = entries;
    }

    /// <summary>The package, or why it cannot be one.</summary>
    public static (QtiPackage? Package, string? Error) Open(Stream zip)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException)
        {
            return (null, "The body is not a zip archive.");
        }
        var error = Check(archive, out var entries);
        if (error is not null)
        {
            archive.Dispose();
            return (null, error);
        }
        return (new QtiPackage(archive, entries), null);
    }

    public bool Contains(string path) => entries.ContainsKey(path);

    /// <summary>An XML file of the package, or why it cannot be read.</summary>
    public (XDocument? Document, string? Error) ReadXml(string path)
    {
        if (!entries.TryGetValue(path, out var entry))
        {
            return (null, $"The package has no file {path}.");
        }
        byte[] bytes;
        try
        {
            bytes = ReadBounded(entry);
        }
        catch (InvalidDataException e)
        {
            return (null, e.Message);
        }
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(bytes), Settings);
            return (XDocument.Load(reader, LoadOptions.PreserveWhitespace | LoadOptions.SetLineInfo), null);
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.Ordinal))
        {
            return (null, "DTDs and entity declarations are not allowed.");
        }
        catch (XmlException e)
        {
            return (null, $"Not well-formed XML (line {e.LineNumber}).");
        }
    }

    /// <summary>
    /// Resolves <paramref name="href"/> (relative, URL-encoded) against the folder of <paramref name="from"/>; null when it
    /// is absolute, climbs above the package's root, or is not a plain path.
    /// </summary>
    public static string? Resolve(string from, string href)
    {
        if (href.Length == 0 || href.Contains('\\', StringComparison.Ordinal) || href.Contains('?', StringComparison.Ordinal) || href.Contains('#', StringComparison.Ordinal)
            || Uri.TryCreate(href, UriKind.Absolute, out _) || href.StartsWith('/'))
        {
            return null;
        }
        var segments = from.Split('/')[..^1].ToList();
        foreach (var segment in Uri.UnescapeDataString(href).Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    return null;
                }
                segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(segment);
        }
        return segments.Count == 0 ? null : string.Join('/', segments);
    }

    public void Dispose() => archive.Dispose();

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = QtiLimits.MaxXmlBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    private static string? Check(ZipArchive archive, out Dictionary<string, ZipArchiveEntry> entries)
    {
        entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        if (archive.Entries.Count > QtiLimits.MaxEntries)
        {
            return $"The package has more than {QtiLimits.MaxEntries} entries.";
        }
        long declared = 0;
        var folded = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in archive.Entries)
        {
            var name = entry.FullName;
            if (!IsSafeName(name))
            {
                return "The package has an entry whose name is an absolute path, climbs out of the package, or has characters a path may not.";
            }
            if (!folded.Add(name))
            {
                return "The package has two entries with the same name.";
            }
            if (entry.Length < 0 || entry.CompressedLength < 0)
            {
                return "The package has an entry with an invalid size.";
            }
            declared += entry.Length;
            if (declared > QtiLimits.MaxTotalBytes)
            {
                return $"The package expands to more than {QtiLimits.MaxTotalBytes / (1024 * 1024)} MiB.";
            }
            if (entry.Length > QtiLimits.RatioCheckedAbove && entry.Length > QtiLimits.MaxCompressionRatio * Math.Max(entry.CompressedLength, 1))
            {
                return $"The package has an entry that expands more than {QtiLimits.MaxCompressionRatio} times.";
            }
            if (!name.EndsWith('/'))
            {
                entries[name] = entry;
            }
        }
        return null;
    }

    private static bool IsSafeName(string name) =>
        name.Length is > 0 and <= 512
        && !name.StartsWith('/')
        && !name.Contains('\\', StringComparison.Ordinal)
        && !name.Contains(':', StringComparison.Ordinal)
        && !name.Any(char.IsControl)
        && name.TrimEnd('/').Split('/').All(segment => segment is not ("" or "." or ".."));

    /// <summary>Reads an entry whole, never more than the XML limit or the package's remaining budget, whatever its header says.</summary>
    private byte[] ReadBounded(ZipArchiveEntry entry)
    {
        if (entry.Length > QtiLimits.MaxXmlBytes)
        {
            throw new InvalidDataException($"{entry.FullName} is larger than {QtiLimits.MaxXmlBytes / (1024 * 1024)} MiB.");
        }
        var limit = (int)Math.Min(QtiLimits.MaxXmlBytes, QtiLimits.MaxTotalBytes - bytesRead);
        using var stream = entry.Open();
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new InvalidDataException($"{entry.FullName} expands beyond what its header declares or the package may hold.");
            }
            buffer.Write(chunk, 0, read);
        }
        bytesRead += buffer.Length;
        return buffer.ToArray();
    }
}
