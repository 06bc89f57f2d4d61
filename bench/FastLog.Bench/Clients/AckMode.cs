namespace FastLog.Bench.Clients;

/// <summary>The producer's <c>acks</c>, with Kafka's wire values.</summary>
internal enum AckMode
{
    All = -1,
    None = 0,
    Leader = 1,
}
