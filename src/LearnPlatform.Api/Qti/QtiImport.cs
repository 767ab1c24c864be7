using System.Globalization;
using System.Xml.Linq;
using FluentValidation;
using LearnPlatform.Api.Papers;
using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Qti;

/// <summary>
/// A QTI 3.0 content package as a paper: the items of its qti-assessment-test, in order (or, without a test, the
/// manifest's item resources), with the test's title, time limit and shuffling, and this service's own settings when
/// the package carries them. Every problem is reported at the file it is in, all in one answer.
/// </summary>
public static class QtiImport
{
    /// <summary>Time limit of a package whose test sets none.</summary>
    public const int DefaultTimeLimitSeconds = 3600;

    public static (PaperRequest? Paper, Dictionary<string, string[]> Errors) Read(QtiPackage package, IValidator<PaperRequest> validator)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(validator);
        var errors = new Errors();
        var (manifest, manifestError) = package.ReadXml(Qti3.ManifestPath);
        if (manifest is null)
        {
            errors.Add(Qti3.ManifestPath, manifestError!);
            return (null, errors.ToDictionary());
        }
        if (manifest.Root?.Name != Qti3.Cp + "manifest")
        {
            errors.Add(Qti3.ManifestPath, $"The root element is not a QTI 3.0 content package manifest ({Qti3.Cp.NamespaceName}).");
            return (null, errors.ToDictionary());
        }
        var resources = manifest.Root.Element(Qti3.Cp + "resources")?.Elements(Qti3.Cp + "resource").ToList() ?? [];
        var tests = resources.Where(r => r.Attribute("type")?.Value == Qti3.TestResource).ToList();
        if (tests.Count > 1)
        {
            errors.Add(Qti3.ManifestPath, "The package has more than one test; import one test at a time.");
            return (null, errors.ToDictionary());
        }

        XElement? test = null;
        List<string> itemPaths;
        if (tests.Count == 1)
        {
            var testPath = Href(tests[0], Qti3.ManifestPath, errors);
            var document = testPath is null ? null : Load(package, testPath, errors);
            if (document?.Root?.Name != Qti3.Asi + "qti-assessment-test")
            {
                if (document is not null)
                {
                    errors.Add(testPath!, "The test resource is not a QTI 3.0 qti-assessment-test.");
                }
                return (null, errors.ToDictionary());
            }
            test = document.Root;
            itemPaths = [];
            foreach (var reference in test.Descendants(Qti3.Asi + "qti-assessment-item-ref"))
            {
                if (QtiPackage.Resolve(testPath!, reference.Attribute("href")?.Value ?? "") is { } path)
                {
                    itemPaths.Add(path);
                }
                else
                {
                    errors.Add(testPath!, $"The item reference '{reference.Attribute("identifier")?.Value}' points outside the package.");
                }
            }
        }
        else
        {
            itemPaths = resources.Where(r => r.Attribute("type")?.Value == Qti3.ItemResource)
                .Select(r => Href(r, Qti3.ManifestPath, errors)).OfType<string>().ToList();
        }
        if (itemPaths.Count == 0)
        {
            errors.Add(Qti3.PackageKey, "The package has no items.");
        }
        if (itemPaths.Count > PaperRequestValidator.MaxQuestions)
        {
            errors.Add(Qti3.PackageKey, $"A paper may have at most {PaperRequestValidator.MaxQuestions} questions; the package has {itemPaths.Count}.");
            return (null, errors.ToDictionary());
        }

        var extension = ExtensionOf(package, resources, errors);
        var questions = new List<QuestionRequest>();
        var paths = new List<string>();
        var choiceShuffles = new List<bool>();
        foreach (var path in itemPaths)
        {
            var itemErrors = new List<string>();
            var document = Load(package, path, errors);
            var question = document is null ? null : QtiItemReader.Read(document, itemErrors);
            errors.AddRange(path, itemErrors);
            if (question is null || document is null)
            {
                continue;
            }
            if (QuestionKinds.IsChoice(question.Kind!))
            {
                choiceShuffles.Add(QtiItemReader.ShufflesChoices(document));
            }
            var aiFallback = extension?.Elements(Qti3.Extension + "question")
                .Any(q => Qti3.QuestionId(q.Attribute("identifier")?.Value ?? "") == question.Id && q.Attribute("ai-fallback")?.Value == "true") == true;
            questions.Add(question with { AiFallback = aiFallback ? true : null });
            paths.Add(path);
        }
        if (errors.Count > 0)
        {
            return (null, errors.ToDictionary());
        }

        var paper = new PaperRequest(
            test?.Attribute("title")?.Value ?? "Imported paper",
            TimeLimit(test, errors),
            Int(extension, "max-attempts", errors),
            Bool(extension, "guest-access", errors),
            test?.Descendants(Qti3.Asi + "qti-ordering").Any(o => o.Attribute("shuffle")?.Value == "true") == true,
            Bool(extension, "shuffle-options", errors) ?? (choiceShuffles.Count > 0 && choiceShuffles.All(s => s)),
            questions,
            extension?.Attribute("mode")?.Value,
            Bool(extension, "allow-hints-during-exam", errors));
        var validation = validator.Validate(paper);
        foreach (var failure in validation.Errors)
        {
            // questions[3].options -> the file of the fourth question, "options: ..."
            if (failure.PropertyName.StartsWith("questions[", StringComparison.Ordinal)
                && int.TryParse(failure.PropertyName["questions[".Length..failure.PropertyName.IndexOf(']', StringComparison.Ordinal)], CultureInfo.InvariantCulture, out var index)
                && index < paths.Count)
            {
                var field = failure.PropertyName[(failure.PropertyName.IndexOf(']', StringComparison.Ordinal) + 1)..].TrimStart('.');
                errors.Add(paths[index], field.Length == 0 ? failure.ErrorMessage : $"{field}: {failure.ErrorMessage}");
            }
            else
            {
                errors.Add(Qti3.PackageKey, $"{failure.PropertyName}: {failure.ErrorMessage}");
            }
        }
        return errors.Count > 0 ? (null, errors.ToDictionary()) : (paper, errors.ToDictionary());
    }

    private static XDocument? Load(QtiPackage package, string path, Errors errors)
    {
        var (document, error) = package.ReadXml(path);
        if (error is not null)
        {
            errors.Add(path, error);
        }
        return document;
    }

    private static string? Href(XElement resource, string from, Errors errors)
    {
        var href = resource.Attribute("href")?.Value ?? resource.Element(Qti3.Cp + "file")?.Attribute("href")?.Value;
        var path = href is null ? null : QtiPackage.Resolve(from, href);
        if (path is null)
        {
            errors.Add(Qti3.ManifestPath, $"The resource '{resource.Attribute("identifier")?.Value}' has no href inside the package.");
        }
        return path;
    }

    /// <summary>This service's own settings file, when the package carries one (packages it exported do).</summary>
    private static XElement? ExtensionOf(QtiPackage package, List<XElement> resources, Errors errors)
    {
        foreach (var resource in resources.Where(r => r.Attribute("type")?.Value == Qti3.ExtensionResource))
        {
            var path = QtiPackage.Resolve(Qti3.ManifestPath, resource.Attribute("href")?.Value ?? "");
            if (path is null || !package.Contains(path))
            {
                continue;
            }
            var document = Load(package, path, errors);
            if (document?.Root?.Name == Qti3.Extension + "paper-settings")
            {
                return document.Root;
            }
        }
        return null;
    }

    private static int? TimeLimit(XElement? test, Errors errors)
    {
        var value = test?.Element(Qti3.Asi + "qti-time-limits")?.Attribute("max-time")?.Value;
        if (value is null)
        {
            return DefaultTimeLimitSeconds;
        }
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and < int.MaxValue)
        {
            return (int)Math.Ceiling(seconds);
        }
        errors.Add(Qti3.PackageKey, $"qti-time-limits max-time '{value}' is not a number of seconds.");
        return null;
    }

    private static bool? Bool(XElement? extension, string attribute, Errors errors) =>
        extension?.Attribute(attribute)?.Value switch
        {
            null => null,
            "true" => true,
            "false" => false,
            var other => Invalid<bool?>(errors, attribute, other),
        };

    private static int? Int(XElement? extension, string attribute, Errors errors) =>
        extension?.Attribute(attribute)?.Value is not { } value ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number
        : Invalid<int?>(errors, attribute, value);

    private static T Invalid<T>(Errors errors, string attribute, string value)
    {
        errors.Add(Qti3.ExtensionPath, $"{attribute} '{value}' is not valid.");
        return default!;
    }

    /// <summary>Messages per file, in the order found.</summary>
    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> byKey = new(StringComparer.Ordinal);

        public int Count => byKey.Count;

        public void Add(string key, string message)
        {
            if (!byKey.TryGetValue(key, out var messages))
            {
                byKey[key] = messages = [];
            }
            if (!messages.Contains(message))
            {
                messages.Add(message);
            }
        }

        public void AddRange(string key, IEnumerable<string> messages)
        {
            foreach (var message in messages)
            {
                Add(key, message);
            }
        }

        public Dictionary<string, string[]> ToDictionary() => byKey.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
