using FastLog.Protocol;
using FastLog.Server.Coordinator;

namespace FastLog.Server.Tests.Groups;

/// <summary>A group store in memory: appends are durable at once unless a test asks for a failure.</summary>
internal sealed class InMemoryGroupStore : IGroupStore
{
    private readonly List<GroupStoreRecord> _records = [];

    public ErrorCode NextError { get; set; } = ErrorCode.None;

    public IReadOnlyList<GroupStoreRecord> Records => _records;

    public Task<ErrorCode> AppendAsync(string groupId, IReadOnlyList<GroupStoreRecord> records)
    {
        if (NextError != ErrorCode.None)
        {
            var error = NextError;
            NextError = ErrorCode.None;
            return Task.FromResult(error);
        }

        lock (_records)
        {
            _records.AddRange(records);
        }

        return Task.FromResult(ErrorCode.None);
    }

    public IEnumerable<GroupStoreRecord> ReadAll() => _records.ToList();
}
