using System.Globalization;
using System.Xml.Linq;
using LearnPlatform.Api.Papers;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Qti;

/// <summary>
/// One qti-assessment-item as a question: a choice interaction is single_choice (cardinality single) or multiple_choice,
/// a text-entry interaction short_text (accepted answers from the correct response and the mapping's positive entries),
/// an extended-text interaction essay (rubric from the scorer's rubric block). Points are MAXSCORE's default value.
/// Anything else is reported, per item, and never guessed at.
/// </summary>
public static class QtiItemReader
{
    private static readonly string[] Supported = ["qti-choice-interaction", "qti-text-entry-interaction", "qti-extended-text-interaction"];

    public static QuestionRequest? Read(XDocument document, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(errors);
        var item = document.Root!;
        if (item.Name != Qti3.Asi + "qti-assessment-item")
        {
            errors.Add(item.Name.LocalName == "assessmentItem"
                ? "This is a QTI 2.x item; only QTI 3.0 (qti-assessment-item) can be imported."
                : $"The root element is <{item.Name.LocalName}>, not a QTI 3.0 qti-assessment-item.");
            return null;
        }
        if (item.Attribute("identifier")?.Value is not { Length: > 0 } identifier)
        {
            errors.Add("The item has no identifier.");
            return null;
        }
        var body = item.Element(Qti3.Asi + "qti-item-body");
        var interactions = body?.Descendants().Where(e => e.Name.Namespace == Qti3.Asi && e.Name.LocalName.EndsWith("-interaction", StringComparison.Ordinal)).ToList() ?? [];
        if (interactions.Count != 1)
        {
            errors.Add(interactions.Count == 0 ? "The item has no interaction." : "The item has more than one interaction; a question here takes one answer.");
            return null;
        }
        var interaction = interactions[0];
        if (!Supported.Contains(interaction.Name.LocalName))
        {
            errors.Add($"<{interaction.Name.LocalName}> has no question kind here; choice, text-entry and extended-text interactions can be imported.");
            return null;
        }
        var responseId = interaction.Attribute("response-identifier")?.Value;
        var declaration = item.Elements(Qti3.Asi + "qti-response-declaration").FirstOrDefault(d => d.Attribute("identifier")?.Value == responseId);
        if (declaration is null)
        {
            errors.Add($"The interaction's response '{responseId}' has no qti-response-declaration.");
            return null;
        }

        var rubrics = body!.Descendants(Qti3.Asi + "qti-rubric-block").ToList();
        // A text entry stands inline: the text around it, with a gap where it stands (nothing when it stands alone).
        var inline = interaction.Name.LocalName == "qti-text-entry-interaction";
        var prompt = QtiText.Read(body, element =>
            element == interaction
                ? inline ? new QtiText.TextPart.Gap() : new QtiText.TextPart.Blocks(interaction.Element(Qti3.Asi + "qti-prompt") is { } p ? [QtiText.Read(p, null, errors)] : [])
                : element.Name == Qti3.Asi + "qti-rubric-block" ? new QtiText.TextPart.Skip() : null,
            errors);

        var id = Sanitize(Qti3.QuestionId(identifier));
        var points = Points(item, errors);
        var correct = declaration.Element(Qti3.Asi + "qti-correct-response")?.Elements(Qti3.Asi + "qti-value").Select(v => v.Value).ToList() ?? [];
        return interaction.Name.LocalName switch
        {
            "qti-choice-interaction" => Choice(id, prompt, points, interaction, declaration, correct, errors),
            "qti-text-entry-interaction" => new QuestionRequest(id, QuestionKinds.ShortText, prompt, null, Accepted(declaration, correct), null, null, null, points, null),
            _ => new QuestionRequest(id, QuestionKinds.Essay, prompt, null, null, Rubric(rubrics, errors), null, null, points, null),
        };
    }

    public static bool ShufflesChoices(XDocument document) =>
        document.Root?.Descendants(Qti3.Asi + "qti-choice-interaction").FirstOrDefault()?.Attribute("shuffle")?.Value == "true";

    private static QuestionRequest? Choice(string id, string prompt, decimal? points, XElement interaction, XElement declaration, List<string> correct, List<string> errors)
    {
        var cardinality = declaration.Attribute("cardinality")?.Value;
        if (cardinality is not ("single" or "multiple"))
        {
            errors.Add($"A choice interaction with cardinality '{cardinality}' has no question kind here (single or multiple).");
            return null;
        }
        var choices = interaction.Elements(Qti3.Asi + "qti-simple-choice")
            .Select(c => (Id: c.Attribute("identifier")?.Value ?? "", Text: QtiText.Read(c, null, errors)))
            .ToList();
        var byId = choices.GroupBy(c => c.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Text, StringComparer.Ordinal);
        var unknown = correct.Where(c => !byId.ContainsKey(c)).ToList();
        if (unknown.Count > 0)
        {
            errors.Add($"The correct response names choices the interaction does not have: {string.Join(", ", unknown)}.");
            return null;
        }
        var kind = cardinality == "single" ? QuestionKinds.SingleChoice : QuestionKinds.MultipleChoice;
        return new QuestionRequest(id, kind, prompt, choices.Select(c => (string?)c.Text).ToList(), correct.Select(c => (string?)byId[c]).ToList(), null, null, null, points, null);
    }

    private static List<string?> Accepted(XElement declaration, List<string> correct)
    {
        var mapped = declaration.Element(Qti3.Asi + "qti-mapping")?.Elements(Qti3.Asi + "qti-map-entry")
            .Where(e => double.TryParse(e.Attribute("mapped-value")?.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0)
            .Select(e => e.Attribute("map-key")?.Value ?? "") ?? [];
        return correct.Concat(mapped).Distinct(StringComparer.Ordinal).Select(a => (string?)a).ToList();
    }

    private static string? Rubric(List<XElement> rubrics, List<string> errors)
    {
        var scorer = rubrics.FirstOrDefault(r => (r.Attribute("view")?.Value ?? "").Split(' ').Contains("scorer", StringComparer.Ordinal)) ?? rubrics.FirstOrDefault();
        if (scorer is null)
        {
            return null;
        }
        var text = QtiText.Read(scorer.Element(Qti3.Asi + "qti-content-body") ?? scorer, null, errors);
        return text.Length == 0 ? null : text;
    }

    /// <summary>MAXSCORE's default value; 1 when the item declares none.</summary>
    private static decimal? Points(XElement item, List<string> errors)
    {
        var value = item.Elements(Qti3.Asi + "qti-outcome-declaration")
            .FirstOrDefault(o => o.Attribute("identifier")?.Value == "MAXSCORE")?
            .Element(Qti3.Asi + "qti-default-value")?.Element(Qti3.Asi + "qti-value")?.Value;
        if (value is null)
        {
            return 1;
        }
        if (decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var points))
        {
            return points;
        }
        errors.Add($"MAXSCORE '{value}' is not a number.");
        return null;
    }

    /// <summary>QTI identifiers may hold characters question ids may not ('.', letters beyond ASCII): those become '-'.</summary>
    private static string Sanitize(string identifier)
    {
        var id = new string(identifier.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '-').ToArray());
        return id.Length > 64 ? id[..64] : id;
    }
}
