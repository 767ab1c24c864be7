using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace LearnPlatform.Api.Qti;

/// <summary>
/// Plain text, as questions here hold it, to and from QTI's XHTML. Read: block elements are lines, whitespace inside
/// them collapses as a browser shows it, &lt;pre&gt; is kept exactly, &lt;br/&gt; breaks a line. Written: one &lt;p&gt; per
/// line, or one &lt;pre&gt; when collapsing would change the text, so what is written reads back the same.
/// </summary>
public static class QtiText
{
    private static readonly HashSet<string> Inline = new(StringComparer.Ordinal)
    {
        "span", "b", "strong", "i", "em", "u", "sub", "sup", "code", "small", "big", "q", "abbr", "acronym", "cite", "kbd",
        "samp", "var", "dfn", "bdo", "a", "label", "ins", "del", "s", "mark",
    };

    private static readonly HashSet<string> Block = new(StringComparer.Ordinal)
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "address", "section",
        "article", "header", "footer", "aside", "nav", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "td",
        "th", "caption", "colgroup", "col", "hr", "qti-prompt", "qti-content-body",
    };

    /// <summary>Elements that are not shown as the question (feedback appears after answering).</summary>
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "qti-feedback-block", "qti-feedback-inline", "qti-modal-feedback", "qti-stylesheet", "qti-catalog-info",
    };

    /// <summary>The text of <paramref name="container"/>'s content; <paramref name="handle"/> decides about elements text rules do not know (interactions).</summary>
    public static string Read(XElement container, Func<XElement, TextPart?>? handle, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(errors);
        var reader = new Reader(handle, errors);
        reader.Children(container);
        reader.Flush();
        return string.Join('\n', reader.Blocks);
    }

    /// <summary>What an element stands for in the text around it.</summary>
    public abstract record TextPart
    {
        /// <summary>Left out, as if absent.</summary>
        public sealed record Skip : TextPart;

        /// <summary>Blocks of its own (an interaction's prompt), in place.</summary>
        public sealed record Blocks(IReadOnlyList<string> Lines) : TextPart;

        /// <summary>A gap in a line (an inline interaction); a line holding nothing else is left out.</summary>
        public sealed record Gap : TextPart;
    }

    public static void Write(XmlWriter writer, string text)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        if (lines.Any(line => line.Length == 0 || Collapse(line) != line))
        {
            writer.WriteElementString("pre", Qti3.Asi.NamespaceName, text);
            return;
        }
        foreach (var line in lines)
        {
            writer.WriteElementString("p", Qti3.Asi.NamespaceName, line);
        }
    }

    /// <summary>Inside an element that also takes text (a choice): plain text when it reads back the same, else as <see cref="Write"/>.</summary>
    public static void WriteInline(XmlWriter writer, string text)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('\n', StringComparison.Ordinal) && Collapse(text) == text)
        {
            writer.WriteString(text);
            return;
        }
        Write(writer, text);
    }

    /// <summary>Text XML 1.0 can carry (no control characters but tab, line feed and carriage return).</summary>
    public static bool IsXmlText(string text)
    {
        try
        {
            XmlConvert.VerifyXmlChars(text);
            return true;
        }
        catch (XmlException)
        {
            return false;
        }
    }

    private static string Collapse(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    private sealed class Reader(Func<XElement, TextPart?>? handle, List<string> errors)
    {
        private const char GapMark = '\uFFFF';
        private readonly StringBuilder line = new();

        public List<string> Blocks { get; } = [];

        public void Children(XElement element)
        {
            foreach (var node in element.Nodes())
            {
                switch (node)
                {
                    case XText text:
                        line.Append(text.Value);
                        break;
                    case XElement child:
                        Element(child);
                        break;
                }
            }
        }

        public void Flush()
        {
            var collapsed = Collapse(line.ToString());
            line.Clear();
            if (collapsed.Replace(GapMark.ToString(), "", StringComparison.Ordinal).Trim().Length > 0)
            {
                Blocks.Add(collapsed.Replace(GapMark.ToString(), "____", StringComparison.Ordinal));
            }
        }

        private void Element(XElement element)
        {
            var name = element.Name.LocalName;
            if (handle?.Invoke(element) is { } part)
            {
                switch (part)
                {
                    case TextPart.Blocks blocks:
                        Flush();
                        Blocks.AddRange(blocks.Lines);
                        break;
                    case TextPart.Gap:
                        line.Append(' ').Append(GapMark).Append(' ');
                        break;
                }
                return;
            }
            if (element.Name.Namespace != Qti3.Asi)
            {
                errors.Add($"<{name}> (namespace {element.Name.NamespaceName}) cannot be imported.");
                return;
            }
            if (Ignored.Contains(name))
            {
                return;
            }
            if (name == "br")
            {
                Flush();
                return;
            }
            if (name == "pre")
            {
                Flush();
                Blocks.Add(element.Value);
                return;
            }
            if (Inline.Contains(name))
            {
                Children(element);
                return;
            }
            if (Block.Contains(name))
            {
                Flush();
                Children(element);
                Flush();
                return;
            }
            errors.Add($"<{name}> cannot be imported: only text (paragraphs, lists, tables, emphasis) is.");
        }
    }
}
