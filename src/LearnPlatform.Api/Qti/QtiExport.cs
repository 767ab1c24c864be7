using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Qti;

/// <summary>
/// A paper as a QTI 3.0 content package: imsmanifest.xml, one qti-assessment-test (title, time limit, question order
/// and shuffling), one qti-assessment-item per question (prompt, choices, keys, points, rubric), and the settings QTI has
/// no place for in learnplatform-settings.xml. Valid against the QTI 3.0 XSDs (see tests/.../Qti/Schemas).
/// </summary>
public static class QtiExport
{
    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = true,
        NewLineHandling = NewLineHandling.Entitize,
        CheckCharacters = true,
    };

    /// <summary>Questions a QTI 3.0 item of choice, text entry or extended text cannot carry, by question index.</summary>
    public static Dictionary<string, string[]> Unexportable(PaperSettings paper)
    {
        ArgumentNullException.ThrowIfNull(paper);
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < paper.Questions.Count; i++)
        {
            var question = paper.Questions[i];
            if (question.Kind == QuestionKinds.Code)
            {
                errors[$"questions[{i}]"] = [$"Question {question.Id} is a code question, which QTI 3.0 choice, text-entry and extended-text items cannot carry."];
            }
            else if (question.Kind == QuestionKinds.Spoken)
            {
                // An upload interaction would carry a file, not the transcript graded against the rubric, nor max_seconds.
                errors[$"questions[{i}]"] = [$"Question {question.Id} is a spoken question, which QTI 3.0 choice, text-entry and extended-text items cannot carry."];
            }
            else if (!Texts(question).All(QtiText.IsXmlText))
            {
                errors[$"questions[{i}]"] = [$"Question {question.Id} has control characters XML cannot carry."];
            }
        }
        if (!QtiText.IsXmlText(paper.Title))
        {
            errors["title"] = ["The title has control characters XML cannot carry."];
        }
        return errors;
    }

    /// <summary>Only called for a paper without <see cref="Unexportable"/> questions.</summary>
    public static byte[] Package(Guid paperId, PaperSettings paper)
    {
        ArgumentNullException.ThrowIfNull(paper);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Entry(zip, Qti3.ManifestPath, w => Manifest(w, paperId, paper));
            Entry(zip, Qti3.TestPath, w => Test(w, paper));
            foreach (var question in paper.Questions)
            {
                Entry(zip, ItemPath(question), w => Item(w, question, paper.ShuffleOptions));
            }
            Entry(zip, Qti3.ExtensionPath, w => Extension(w, paper));
        }
        return buffer.ToArray();
    }

    public static string ItemPath(Question question) => $"items/{question.Id}.xml";

    private static IEnumerable<string> Texts(Question question) =>
        new[] { question.Prompt, question.Rubric ?? "" }.Concat(question.Options ?? []).Concat(question.Correct ?? []);

    private static void Entry(ZipArchive zip, string path, Action<XmlWriter> write)
    {
        using var stream = zip.CreateEntry(path, CompressionLevel.Optimal).Open();
        using var writer = XmlWriter.Create(stream, Settings);
        writer.WriteStartDocument();
        write(writer);
        writer.WriteEndDocument();
    }

    private static void Manifest(XmlWriter w, Guid paperId, PaperSettings paper)
    {
        var cp = Qti3.Cp.NamespaceName;
        w.WriteStartElement("manifest", cp);
        w.WriteAttributeString("identifier", $"paper-{paperId}");
        w.WriteStartElement("metadata", cp);
        w.WriteElementString("schema", cp, "QTI Package");
        w.WriteElementString("schemaversion", cp, "3.0.0");
        w.WriteEndElement();
        w.WriteElementString("organizations", cp, "");
        w.WriteStartElement("resources", cp);
        Resource(w, "test", Qti3.TestResource, Qti3.TestPath, paper.Questions.Select(q => ResourceId(q)));
        foreach (var question in paper.Questions)
        {
            Resource(w, ResourceId(question), Qti3.ItemResource, ItemPath(question), []);
        }
        Resource(w, "learnplatform-settings", Qti3.ExtensionResource, Qti3.ExtensionPath, []);
        w.WriteEndElement();
        w.WriteEndElement();

        static string ResourceId(Question question) => $"item-{question.Id}";

        void Resource(XmlWriter w, string id, string type, string href, IEnumerable<string> dependencies)
        {
            w.WriteStartElement("resource", cp);
            w.WriteAttributeString("identifier", id);
            w.WriteAttributeString("type", type);
            w.WriteAttributeString("href", href);
            w.WriteStartElement("file", cp);
            w.WriteAttributeString("href", href);
            w.WriteEndElement();
            foreach (var dependency in dependencies)
            {
                w.WriteStartElement("dependency", cp);
                w.WriteAttributeString("identifierref", dependency);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
    }

    private static void Test(XmlWriter w, PaperSettings paper)
    {
        var qti = Qti3.Asi.NamespaceName;
        w.WriteStartElement("qti-assessment-test", qti);
        w.WriteAttributeString("identifier", "paper");
        w.WriteAttributeString("title", paper.Title);
        w.WriteStartElement("qti-time-limits", qti);
        w.WriteAttributeString("max-time", paper.TimeLimitSeconds.ToString(CultureInfo.InvariantCulture));
        w.WriteEndElement();
        w.WriteStartElement("qti-test-part", qti);
        w.WriteAttributeString("identifier", "part-1");
        w.WriteAttributeString("navigation-mode", "nonlinear");
        w.WriteAttributeString("submission-mode", "simultaneous");
        w.WriteStartElement("qti-assessment-section", qti);
        w.WriteAttributeString("identifier", "section-1");
        w.WriteAttributeString("title", paper.Title);
        w.WriteAttributeString("visible", "true");
        if (paper.ShuffleQuestions)
        {
            w.WriteStartElement("qti-ordering", qti);
            w.WriteAttributeString("shuffle", "true");
            w.WriteEndElement();
        }
        foreach (var question in paper.Questions)
        {
            w.WriteStartElement("qti-assessment-item-ref", qti);
            w.WriteAttributeString("identifier", Qti3.Identifier(question.Id));
            w.WriteAttributeString("href", ItemPath(question));
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void Item(XmlWriter w, Question question, bool shuffleOptions)
    {
        var qti = Qti3.Asi.NamespaceName;
        w.WriteStartElement("qti-assessment-item", qti);
        w.WriteAttributeString("identifier", Qti3.Identifier(question.Id));
        w.WriteAttributeString("title", $"Question {question.Id}");
        w.WriteAttributeString("adaptive", "false");
        w.WriteAttributeString("time-dependent", "false");

        w.WriteStartElement("qti-response-declaration", qti);
        w.WriteAttributeString("identifier", Qti3.ResponseId);
        w.WriteAttributeString("cardinality", question.Kind == QuestionKinds.MultipleChoice ? "multiple" : "single");
        w.WriteAttributeString("base-type", QuestionKinds.IsChoice(question.Kind) ? "identifier" : "string");
        if (question.Correct is { Count: > 0 } correct)
        {
            w.WriteStartElement("qti-correct-response", qti);
            foreach (var value in QuestionKinds.IsChoice(question.Kind) ? correct.Select(c => ChoiceId(question, c)) : correct.Take(1))
            {
                w.WriteElementString("qti-value", qti, value);
            }
            w.WriteEndElement();
        }
        if (question.Kind == QuestionKinds.ShortText)
        {
            w.WriteStartElement("qti-mapping", qti);
            w.WriteAttributeString("default-value", "0");
            foreach (var accepted in question.Correct!)
            {
                w.WriteStartElement("qti-map-entry", qti);
                w.WriteAttributeString("map-key", accepted);
                w.WriteAttributeString("mapped-value", Number(question.Points));
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();

        Outcome(w, "SCORE", "0", question.Kind == QuestionKinds.Essay);
        Outcome(w, "MAXSCORE", Number(question.Points), externallyScored: false);

        w.WriteStartElement("qti-item-body", qti);
        QtiText.Write(w, question.Prompt);
        switch (question.Kind)
        {
            case QuestionKinds.SingleChoice or QuestionKinds.MultipleChoice:
                w.WriteStartElement("qti-choice-interaction", qti);
                w.WriteAttributeString("response-identifier", Qti3.ResponseId);
                w.WriteAttributeString("max-choices", question.Kind == QuestionKinds.SingleChoice ? "1" : "0");
                w.WriteAttributeString("shuffle", shuffleOptions ? "true" : "false");
                for (var i = 0; i < question.Options!.Count; i++)
                {
                    w.WriteStartElement("qti-simple-choice", qti);
                    w.WriteAttributeString("identifier", $"choice-{i + 1}");
                    QtiText.WriteInline(w, question.Options[i]);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                break;
            case QuestionKinds.ShortText:
                w.WriteStartElement("div", qti);
                w.WriteStartElement("qti-text-entry-interaction", qti);
                w.WriteAttributeString("response-identifier", Qti3.ResponseId);
                w.WriteEndElement();
                w.WriteEndElement();
                break;
            case QuestionKinds.Essay:
                w.WriteStartElement("qti-extended-text-interaction", qti);
                w.WriteAttributeString("response-identifier", Qti3.ResponseId);
                w.WriteEndElement();
                w.WriteStartElement("qti-rubric-block", qti);
                w.WriteAttributeString("use", "scoring");
                w.WriteAttributeString("view", "scorer");
                w.WriteStartElement("qti-content-body", qti);
                QtiText.Write(w, question.Rubric!);
                w.WriteEndElement();
                w.WriteEndElement();
                break;
        }
        w.WriteEndElement();

        if (QuestionKinds.IsChoice(question.Kind))
        {
            MatchCorrectForMaxScore(w);
        }
        else if (question.Kind == QuestionKinds.ShortText)
        {
            w.WriteStartElement("qti-response-processing", qti);
            w.WriteAttributeString("template", Qti3.MapResponseTemplate);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void Outcome(XmlWriter w, string identifier, string value, bool externallyScored)
    {
        var qti = Qti3.Asi.NamespaceName;
        w.WriteStartElement("qti-outcome-declaration", qti);
        w.WriteAttributeString("identifier", identifier);
        w.WriteAttributeString("cardinality", "single");
        w.WriteAttributeString("base-type", "float");
        if (externallyScored)
        {
            w.WriteAttributeString("external-scored", "human");
        }
        w.WriteStartElement("qti-default-value", qti);
        w.WriteElementString("qti-value", qti, value);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    /// <summary>All or nothing, worth the question's points: SCORE is MAXSCORE when the response matches the correct one.</summary>
    private static void MatchCorrectForMaxScore(XmlWriter w)
    {
        var qti = Qti3.Asi.NamespaceName;
        w.WriteStartElement("qti-response-processing", qti);
        w.WriteStartElement("qti-response-condition", qti);
        w.WriteStartElement("qti-response-if", qti);
        w.WriteStartElement("qti-match", qti);
        w.WriteStartElement("qti-variable", qti);
        w.WriteAttributeString("identifier", Qti3.ResponseId);
        w.WriteEndElement();
        w.WriteStartElement("qti-correct", qti);
        w.WriteAttributeString("identifier", Qti3.ResponseId);
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteStartElement("qti-set-outcome-value", qti);
        w.WriteAttributeString("identifier", "SCORE");
        w.WriteStartElement("qti-variable", qti);
        w.WriteAttributeString("identifier", "MAXSCORE");
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void Extension(XmlWriter w, PaperSettings paper)
    {
        var ns = Qti3.Extension.NamespaceName;
        w.WriteStartElement("paper-settings", ns);
        w.WriteAttributeString("max-attempts", paper.MaxAttempts.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("guest-access", Bool(paper.GuestAccess));
        w.WriteAttributeString("shuffle-options", Bool(paper.ShuffleOptions));
        w.WriteAttributeString("mode", paper.Mode);
        w.WriteAttributeString("allow-hints-during-exam", Bool(paper.AllowHintsDuringExam));
        w.WriteAttributeString("allow-code-runs", Bool(paper.AllowCodeRuns));
        foreach (var question in paper.Questions.Where(q => q.AiFallback))
        {
            w.WriteStartElement("question", ns);
            w.WriteAttributeString("identifier", Qti3.Identifier(question.Id));
            w.WriteAttributeString("ai-fallback", "true");
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static string ChoiceId(Question question, string option) =>
        $"choice-{question.Options!.ToList().IndexOf(option) + 1}";

    private static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "true" : "false";
}
