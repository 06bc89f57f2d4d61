namespace FastLog.Bench.Clients;

/// <summary>What a scenario asks of a consumer: read every partition of the topic from offset 0, without a group.</summary>
internal sealed record ConsumerSettings(string Bootstrap, string Topic, int Partitions);
