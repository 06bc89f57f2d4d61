namespace FastLog.Client.Consumer;

/// <summary>What a record's timestamp means (batch attribute bit 3).</summary>
public enum TimestampType
{
    /// <summary>No timestamp.</summary>
    NotAvailable = 0,

    /// <summary>Set by the producer when the record was created.</summary>
    CreateTime = 1,

    /// <summary>Set by the broker when it appended the batch (the topic's <c>message.timestamp.type</c>).</summary>
    LogAppendTime = 2,
}
