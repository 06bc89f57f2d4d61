using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using FastLog.Client.Consumer;

namespace FastLog.Cli.Output;

/// <summary>
/// Prints consumed records, one per line. Text: the value (or key TAB value), decoded as UTF-8 with invalid bytes
/// replaced, null as an empty string. JSON: one compact object per line (JSON Lines, so <c>jq</c> can stream it)
/// where keys, values and header values are strings when they are valid UTF-8 and base64 otherwise; an
/// <c>...Encoding</c> field next to each says which ("utf8", "base64", or null for a null field).
/// </summary>
internal sealed class RecordWriter(TextWriter output, bool json, bool printKey)
{
    // Non-ASCII text stays readable instead of \uXXXX; the output is a terminal or a pipe, never HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ArrayBufferWriter<byte> _buffer = new();

    public Task WriteAsync(in ConsumedRecord record) => json ? WriteJsonAsync(record) : WriteTextAsync(record);

    private Task WriteTextAsync(in ConsumedRecord record)
    {
        string value = Encoding.UTF8.GetString(record.ValueSpan);
        return output.WriteLineAsync(printKey ? $"{Encoding.UTF8.GetString(record.KeySpan)}\t{value}" : value);
    }

    private Task WriteJsonAsync(in ConsumedRecord record)
    {
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("topic", record.Topic);
            writer.WriteNumber("partition", record.Partition);
            writer.WriteNumber("offset", record.Offset);
            writer.WriteNumber("timestamp", record.Timestamp);
            WriteBytes(writer, "key", record.KeySpan, record.IsKeyNull);
            WriteBytes(writer, "value", record.ValueSpan, record.IsValueNull);
            writer.WriteStartArray("headers");
            foreach (ConsumedHeader header in record.Headers)
            {
                writer.WriteStartObject();
                writer.WriteString("key", header.GetKey());
                WriteBytes(writer, "value", header.Value.Span, header.IsValueNull);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return output.WriteLineAsync(Encoding.UTF8.GetString(_buffer.WrittenSpan));
    }

    private static void WriteBytes(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            writer.WriteNull(name);
            writer.WriteNull(name + "Encoding");
        }
        else if (Utf8.IsValid(bytes))
        {
            writer.WriteString(name, Encoding.UTF8.GetString(bytes));
            writer.WriteString(name + "Encoding", "utf8");
        }
        else
        {
            writer.WriteBase64String(name, bytes);
            writer.WriteString(name + "Encoding", "base64");
        }
    }
}
