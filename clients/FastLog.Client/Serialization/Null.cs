namespace FastLog.Client.Serialization;

/// <summary>
/// The key or value type of records that never have one: a <c>KafkaProducer&lt;Null, string&gt;</c> sends every key
/// as null. There are no instances; the only value is the null reference.
/// </summary>
public sealed class Null
{
    private Null()
    {
    }
}
