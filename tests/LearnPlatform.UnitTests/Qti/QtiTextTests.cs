using System.Text;
using System.Xml;
using System.Xml.Linq;
using LearnPlatform.Api.Qti;

namespace LearnPlatform.UnitTests.Qti;

/// <summary>Plain text survives the trip through XHTML; foreign XHTML reads the way a browser shows it.</summary>
public sealed class QtiTextTests
{
    private static string RoundTrip(string text, bool inline = false)
    {
        var buffer = new StringBuilder();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { NewLineHandling = NewLineHandling.Entitize, OmitXmlDeclaration = true }))
        {
            writer.WriteStartElement("qti-item-body", Qti3.Asi.NamespaceName);
            if (inline)
            {
                QtiText.WriteInline(writer, text);
            }
            else
            {
                QtiText.Write(writer, text);
            }
            writer.WriteEndElement();
        }
        return Read(buffer.ToString());
    }

    private static string Read(string body, List<string>? errors = null) =>
        QtiText.Read(XElement.Parse(body, LoadOptions.PreserveWhitespace), null, errors ?? []);

    [Theory]
    [InlineData("One line.")]
    [InlineData("Two\nlines.")]
    [InlineData("  indented\n\ttabbed\n\nafter a blank line  ")]
    [InlineData("a  b")]
    [InlineData("carriage\r\nreturn")]
    [InlineData("<markup> & \"quotes\"")]
    [InlineData("\nstarts with a newline")]
    public void WrittenTextReadsBackTheSame(string text)
    {
        Assert.Equal(text, RoundTrip(text));
        Assert.Equal(text, RoundTrip(text, inline: true));
    }

    [Fact]
    public void ForeignXhtmlReadsAsABrowserShowsIt()
    {
        const string body = """
            <qti-item-body xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0">
              <p>Which of
                 these is <b>immutable</b>?</p>
              <ul><li>Think of tuples.</li><li>Or strings<br/>and bytes.</li></ul>
              <qti-feedback-block identifier="x" outcome-identifier="FEEDBACK" show-hide="show"><p>Shown after answering</p></qti-feedback-block>
            </qti-item-body>
            """;

        Assert.Equal("Which of these is immutable?\nThink of tuples.\nOr strings\nand bytes.", Read(body));
    }

    [Fact]
    public void MediaAndForeignMarkupAreReportedNotDropped()
    {
        var errors = new List<string>();

        Read("""<qti-item-body xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"><p>See <img src="a.png" alt=""/></p><m:math xmlns:m="http://www.w3.org/1998/Math/MathML"/></qti-item-body>""", errors);

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("<img>", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("<math>", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("q1", "q1")]
    [InlineData("1", "_1")]
    [InlineData("-x", "_-x")]
    [InlineData("_x", "__x")]
    public void QuestionIdsBecomeNcNamesAndBack(string id, string identifier)
    {
        Assert.Equal(identifier, Qti3.Identifier(id));
        Assert.Equal(id, Qti3.QuestionId(identifier));
        Assert.True(XmlConvert.VerifyNCName(identifier) == identifier);
    }
}
