using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LearnPlatform.Api.Telemetry;

/// <summary>One event as the client reported it, checked. <see cref="Data"/> is re-written JSON of known numbers only.</summary>
public sealed record ClientEvent(string Type, DateTimeOffset At, string? QuestionId, string? Data);

/// <summary>A text frame: one event, or a batch of up to <see cref="ClientFrames.MaxBatch"/> under one seq.</summary>
public sealed record ClientFrame(long? Seq, IReadOnlyList<ClientEvent> Events);

/// <summary>Why a frame was refused; <see cref="Code"/> is one of <see cref="ErrorCodes"/>.</summary>
public sealed record FrameError(string Code, string Message, long? Seq = null);

public static class ErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string InvalidFrame = "invalid_frame";
    public const string UnknownType = "unknown_type";
    public const string UnknownQuestion = "unknown_question";
    public const string ConsentRequired = "consent_required";
}

public static class EventTypes
{
    public const string Focus = "focus";
    public const string Blur = "blur";
    public const string VisibilityHidden = "visibility_hidden";
    public const string VisibilityVisible = "visibility_visible";
    public const string Paste = "paste";
    public const string Copy = "copy";
    public const string FullscreenExit = "fullscreen_exit";
    public const string QuestionView = "question_view";
    public const string KeystrokeStats = "keystroke_stats";
    public const string Heartbeat = "heartbeat";

    /// <summary>The telemetry_events CHECK constraint lists the same.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Focus, Blur, VisibilityHidden, VisibilityVisible, Paste, Copy, FullscreenExit, QuestionView, KeystrokeStats, Heartbeat,
    };
}

/// <summary>
/// Reads the client's frames strictly: unknown fields are refused rather than ignored, so nothing but the documented
/// numbers can ride along (no text, no key codes, no recordings). Pure; the socket decides what a refusal costs.
/// </summary>
public static class ClientFrames
{
    public const int MaxFrameBytes = 4096;
    public const int MaxBatch = 50;
    public const long MaxSeq = 9_007_199_254_740_991;
    public const int MaxQuestionIdLength = 200;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 5 };

    private static readonly (byte[] Utf8, string Name)[] TypeNames = [.. EventTypes.All.Select(t => (Encoding.UTF8.GetBytes(t), t))];

    /// <summary>The numbers each type may carry in data (all required for keystroke_stats), with their ranges.</summary>
    private static readonly Dictionary<string, (string Name, double Max, bool Integer)[]> DataFields = new(StringComparer.Ordinal)
    {
        [EventTypes.KeystrokeStats] = [("count", 1_000_000, true), ("mean_ms", 3_600_000, false), ("variance_ms2", 1e13, false)],
        [EventTypes.Paste] = [("length", 10_000_000, true)],
        [EventTypes.Copy] = [("length", 10_000_000, true)],
    };

    /// <summary>Parses one text frame; <paramref name="questionIds"/> are the questions of the session's paper.</summary>
    public static (ClientFrame? Frame, FrameError? Error) Parse(ReadOnlyMemory<byte> utf8, IReadOnlySet<string> questionIds)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, Options);
        }
        catch (JsonException)
        {
            return (null, new FrameError(ErrorCodes.InvalidJson, "The frame is not valid JSON (UTF-8, at most 5 levels deep)."));
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, new FrameError(ErrorCodes.InvalidFrame, "A frame is a JSON object: one event, or {seq, events: [...]}."));
            }
            return root.TryGetProperty("events", out _) ? ParseBatch(root, questionIds) : ParseSingle(root, questionIds);
        }
    }

    private static (ClientFrame?, FrameError?) ParseBatch(JsonElement root, IReadOnlySet<string> questionIds)
    {
        long? seq = null;
        JsonElement events = default;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "seq":
                    if (ReadSeq(property.Value) is not { } value)
                    {
                        return (null, new FrameError(ErrorCodes.InvalidFrame, $"seq is a whole number from 0 to {MaxSeq}."));
                    }
                    seq = value;
                    break;
                case "events":
                    events = property.Value;
                    break;
                default:
                    return (null, new FrameError(ErrorCodes.InvalidFrame, "A batch has only seq and events."));
            }
        }
        if (seq is null)
        {
            return (null, new FrameError(ErrorCodes.InvalidFrame, "A batch needs a seq, so its acknowledgement and any resend can name it."));
        }
        if (events.ValueKind != JsonValueKind.Array || events.GetArrayLength() is 0 or > MaxBatch)
        {
            return (null, new FrameError(ErrorCodes.InvalidFrame, $"events is a list of 1 to {MaxBatch} events.", seq));
        }
        var parsed = new List<ClientEvent>(events.GetArrayLength());
        foreach (var item in events.EnumerateArray())
        {
            var (clientEvent, error) = ParseEvent(item, questionIds, allowSeq: false);
            if (error is not null)
            {
                return (null, error with { Seq = seq });
            }
            parsed.Add(clientEvent!);
        }
        return (new ClientFrame(seq, parsed), null);
    }

    private static (ClientFrame?, FrameError?) ParseSingle(JsonElement root, IReadOnlySet<string> questionIds)
    {
        long? seq = null;
        if (root.TryGetProperty("seq", out var seqElement))
        {
            seq = ReadSeq(seqElement);
            if (seq is null)
            {
                return (null, new FrameError(ErrorCodes.InvalidFrame, $"seq is a whole number from 0 to {MaxSeq}."));
            }
        }
        var (clientEvent, error) = ParseEvent(root, questionIds, allowSeq: true);
        return error is not null ? (null, error with { Seq = seq }) : (new ClientFrame(seq, [clientEvent!]), null);
    }

    private static (ClientEvent?, FrameError?) ParseEvent(JsonElement element, IReadOnlySet<string> questionIds, bool allowSeq)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return Invalid("An event is a JSON object {type, at, question_id?, data?}.");
        }
        string? type = null;
        var typeKnown = true;
        DateTimeOffset? at = null;
        string? questionId = null;
        JsonElement? data = null;
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            if (property.NameEquals("type"u8) && value.ValueKind == JsonValueKind.String)
            {
                type = KnownType(value);
                typeKnown = type is not null;
                type ??= string.Empty;
            }
            else if (property.NameEquals("at"u8) && value.ValueKind == JsonValueKind.String)
            {
                if (!ClientTime.TryParse(value.GetString(), out var time))
                {
                    return Invalid("at is an RFC 3339 time with its offset, e.g. 2026-12-01T10:15:30.250Z.");
                }
                at = time;
            }
            else if (property.NameEquals("question_id"u8) && value.ValueKind == JsonValueKind.String)
            {
                questionId = value.GetString();
            }
            else if (property.NameEquals("data"u8))
            {
                data = value;
            }
            else if (property.NameEquals("seq"u8) && allowSeq)
            {
                // Read with the frame.
            }
            else if (property.NameEquals("type"u8) || property.NameEquals("at"u8) || property.NameEquals("question_id"u8))
            {
                return Invalid($"{property.Name} is a string.");
            }
            else
            {
                return Invalid("An event has only type, at, question_id and data.");
            }
        }
        if (type is null || at is null)
        {
            return Invalid("An event needs type and at.");
        }
        if (!typeKnown)
        {
            return (null, new FrameError(ErrorCodes.UnknownType, $"Known types: {string.Join(", ", EventTypes.All.Order(StringComparer.Ordinal))}."));
        }
        if (questionId is not null && (questionId.Length is 0 or > MaxQuestionIdLength || !questionIds.Contains(questionId)))
        {
            return (null, new FrameError(ErrorCodes.UnknownQuestion, "question_id is not a question of this session's paper."));
        }
        if (type == EventTypes.QuestionView && questionId is null)
        {
            return Invalid("question_view needs the question_id of the question shown.");
        }
        var (json, dataError) = ReadData(type, data);
        return dataError is not null ? Invalid(dataError) : (new ClientEvent(type, at.Value, questionId, json), null);
    }

    /// <summary>The type's own constant (so no string is made per event), or null for a type that is not known.</summary>
    private static string? KnownType(JsonElement value)
    {
        foreach (var (utf8, name) in TypeNames)
        {
            if (value.ValueEquals(utf8))
            {
                return name;
            }
        }
        return null;
    }

    /// <summary>The data object, re-written from the numbers read; nothing of the client's own text survives.</summary>
    private static (string? Json, string? Error) ReadData(string type, JsonElement? data)
    {
        var fields = DataFields.GetValueOrDefault(type);
        if (data is null || data.Value.ValueKind == JsonValueKind.Null)
        {
            return type == EventTypes.KeystrokeStats ? (null, Expected(type, fields!)) : (null, null);
        }
        if (fields is null)
        {
            return (null, $"{type} carries no data.");
        }
        if (data.Value.ValueKind != JsonValueKind.Object)
        {
            return (null, Expected(type, fields));
        }
        Span<double> values = stackalloc double[fields.Length];
        Span<bool> present = stackalloc bool[fields.Length];
        var count = 0;
        foreach (var property in data.Value.EnumerateObject())
        {
            var index = FieldIndex(fields, property);
            if (index < 0 || present[index] || property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var value)
                || !double.IsFinite(value) || value < 0 || value > fields[index].Max || (fields[index].Integer && value != Math.Floor(value)))
            {
                return (null, Expected(type, fields));
            }
            values[index] = value;
            present[index] = true;
            count++;
        }
        if (type == EventTypes.KeystrokeStats && count != fields.Length)
        {
            return (null, Expected(type, fields));
        }
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            for (var i = 0; i < fields.Length; i++)
            {
                if (present[i])
                {
                    writer.WriteNumber(fields[i].Name, values[i]);
                }
            }
            writer.WriteEndObject();
        }
        return (Encoding.UTF8.GetString(buffer.WrittenSpan), null);
    }

    private static int FieldIndex((string Name, double Max, bool Integer)[] fields, JsonProperty property)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (property.NameEquals(fields[i].Name))
            {
                return i;
            }
        }
        return -1;
    }

    private static string Expected(string type, (string Name, double Max, bool Integer)[] fields) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{type} data is an object of {(type == EventTypes.KeystrokeStats ? "exactly" : "at most")} {string.Join(", ", fields.Select(f => $"{f.Name} ({(f.Integer ? "a whole number" : "a number")} from 0 to {f.Max:G})"))}; nothing else is accepted.");

    private static long? ReadSeq(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var seq) && seq is >= 0 and <= MaxSeq ? seq : null;

    private static (ClientEvent?, FrameError?) Invalid(string message) => (null, new FrameError(ErrorCodes.InvalidFrame, message));
}
