using FastLog.Protocol;

namespace FastLog.Server.Coordinator;

/// <summary>
/// Where group metadata and committed offsets are persisted (the __consumer_offsets topic on a broker,
/// memory in unit tests).
/// </summary>
internal interface IGroupStore
{
    /// <summary>
    /// Appends the records of one group before returning (so records appended under the group's lock
    /// keep that order in the log); the task completes once they are durable, with the error to report
    /// if they could not be written.
    /// </summary>
    Task<ErrorCode> AppendAsync(string groupId, IReadOnlyList<GroupStoreRecord> records);

    /// <summary>Every stored record in log order, for rebuilding the groups at start-up.</summary>
    IEnumerable<GroupStoreRecord> ReadAll();
}
