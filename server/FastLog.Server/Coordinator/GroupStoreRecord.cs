namespace FastLog.Server.Coordinator;

/// <summary>One key/value record of the offsets topic; a null value is a tombstone.</summary>
internal readonly record struct GroupStoreRecord(byte[] Key, byte[]? Value);
