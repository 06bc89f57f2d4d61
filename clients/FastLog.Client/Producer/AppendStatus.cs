namespace FastLog.Client.Producer;

/// <summary>What happened to a record offered to a batch or a partition queue.</summary>
internal enum AppendStatus
{
    /// <summary>The record is in a batch.</summary>
    Appended,

    /// <summary>The batch has no room; it is complete and a new one is needed.</summary>
    Full,

    /// <summary>A new batch would be needed, and the caller asked to be told first (sticky partitioning switches partition then).</summary>
    NeedsNewBatch,

    /// <summary>Buffer memory is exhausted; wait for batches to complete and try again.</summary>
    NeedMemory,

    /// <summary>The topic (or the partition asked for) is not known yet; fetch metadata and try again.</summary>
    NeedMetadata,
}
