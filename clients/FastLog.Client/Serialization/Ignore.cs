namespace FastLog.Client.Serialization;

/// <summary>
/// Marks a key or value the consumer does not read: <see cref="Deserializers.Ignore"/> returns null without
/// looking at the bytes (e.g. <c>KafkaConsumer&lt;Ignore, string&gt;</c>).
/// </summary>
public sealed class Ignore
{
    private Ignore()
    {
    }
}
