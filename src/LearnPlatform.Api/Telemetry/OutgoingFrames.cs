using System.Text.Json;

namespace LearnPlatform.Api.Telemetry;

/// <summary>The server's text frames: acknowledgements, errors and heartbeats. Nothing the client sent is echoed but its seq.</summary>
public static class OutgoingFrames
{
    /// <summary><c>{"type":"ack","seq":n}</c>; a frame sent without a seq is acknowledged with <c>{"type":"ack"}</c>.</summary>
    public static byte[] Ack(long? seq) => Write(writer =>
    {
        writer.WriteString("type", "ack");
        if (seq is { } value)
        {
            writer.WriteNumber("seq", value);
        }
    });

    public static byte[] Error(FrameError error) => Write(writer =>
    {
        writer.WriteString("type", "error");
        writer.WriteString("code", error.Code);
        writer.WriteString("message", error.Message);
        if (error.Seq is { } seq)
        {
            writer.WriteNumber("seq", seq);
        }
    });

    public static byte[] Heartbeat(DateTimeOffset at) => Write(writer =>
    {
        writer.WriteString("type", "heartbeat");
        writer.WriteString("at", at.UtcDateTime);
    });

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
