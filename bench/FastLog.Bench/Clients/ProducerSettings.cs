namespace FastLog.Bench.Clients;

/// <summary>
/// What a scenario asks of a producer. Each adapter maps these onto its client's own settings and
/// states the rest (batch size, queue limits) in its <see cref="IBenchClient.Describe"/> text, so a
/// report says exactly how each client was configured.
/// </summary>
internal sealed record ProducerSettings(string Bootstrap, string Topic, int Partitions, AckMode Acks, Codec Compression, int LingerMs);
