namespace FastLog.Format;

/// <summary>A header to write with <see cref="RecordBatchBuilder"/>: a non-null key and a value that may be null.</summary>
public readonly record struct RecordHeader(string Key, byte[]? Value);
