namespace FastLog.Engine.Producers;

/// <summary>What a partition remembers of one idempotent batch: its sequence range and where it landed.</summary>
public readonly record struct ProducerBatch(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset, long TimestampMs);
