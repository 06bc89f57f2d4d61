using FastLog.Protocol.Messages;

namespace FastLog.Client.Consumer;

/// <summary>
/// The records of one partition in one fetch response: a range of the response frame holding whole record
/// batches (a trailing partial batch, cut by the size limits, is excluded), stamped with the partition's
/// <see cref="PartitionState.Version"/> at request time so data for a partition that was since seeked, paused or
/// revoked is recognised as stale.
/// </summary>
internal sealed class FetchedChunk(PartitionState state, int version, byte[] buffer, int start, int end, long nextFetchOffset)
{
    public PartitionState State { get; } = state;

    public int Version { get; } = version;

    public byte[] Buffer { get; } = buffer;

    public int Start { get; } = start;

    public int End { get; } = end;

    /// <summary>Offset after the last batch of the chunk: where the position stands once the chunk is read.</summary>
    public long NextFetchOffset { get; } = nextFetchOffset;

    /// <summary>read_committed: aborted transactions overlapping the chunk, by first offset (null when none).</summary>
    public List<FetchResponse.AbortedTransaction>? AbortedTransactions { get; init; }
}
