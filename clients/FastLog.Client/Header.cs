namespace FastLog.Client;

/// <summary>
/// A record header: a key (never null, encoded as UTF-8) and a value. Headers are written in the order given, and a
/// key may repeat, as Kafka allows.
/// </summary>
/// <param name="Key">The header name.</param>
/// <param name="Value">The header bytes; they are copied when the record is produced, so the memory may be reused afterwards.</param>
public readonly record struct Header(string Key, ReadOnlyMemory<byte> Value);
