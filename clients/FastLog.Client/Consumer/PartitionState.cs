namespace FastLog.Client.Consumer;

/// <summary>
/// What the consumer knows about one assigned partition. Two cursors: <see cref="Position"/>, the next offset the
/// application will be given (written by the consuming thread for every record), and <see cref="FetchOffset"/>,
/// the next offset to fetch (written by the fetcher when a response arrives, so the next fetch can be in flight
/// while the previous response is still being read). <see cref="Version"/> changes on every seek, pause, reset or
/// revocation; fetched data stamped with an older version is dropped unread.
/// </summary>
/// <remarks>All fields except <see cref="Position"/> change only under <see cref="SubscriptionState.Gate"/>.</remarks>
internal sealed class PartitionState
{
    public PartitionState(TopicPartition topicPartition)
    {
        TopicPartition = topicPartition;
    }

    public TopicPartition TopicPartition { get; }

    public string Topic => TopicPartition.Topic;

    public int Partition => TopicPartition.Partition;

    /// <summary>Next offset for the application; -1 until known. Read by commits on other threads (64-bit writes are atomic).</summary>
    public long Position = -1;

    /// <summary>Leader epoch of the last record handed out, or -1 (committed with the position, KIP-320).</summary>
    public int PositionLeaderEpoch = -1;

    /// <summary>Next offset to fetch; -1 until known.</summary>
    public long FetchOffset = -1;

    /// <summary>Bumped whenever buffered data for this partition must be discarded.</summary>
    public int Version;

    /// <summary>How the position is to be found, when it is not known.</summary>
    public PositionSource PendingPosition = PositionSource.Known;

    /// <summary>True while a position lookup for <see cref="PendingPosition"/> is under way.</summary>
    public bool Resolving;

    public bool Paused;

    /// <summary>No longer assigned: everything about it is stale.</summary>
    public bool Removed;

    /// <summary>Node id of the partition's leader per the metadata, or -1 when unknown (a refresh is due).</summary>
    public int LeaderId = -1;

    /// <summary>True while a fetch naming this partition is in flight (a partition is in one fetch at a time).</summary>
    public bool FetchInFlight;

    /// <summary>No fetch or lookup before this <see cref="MonotonicClock.NowMs"/> (backoff after an error).</summary>
    public long RetryAfterTicks;

    public long HighWatermark = -1;

    public long LastStableOffset = -1;

    public long LogStartOffset = -1;

    /// <summary>True when the fetcher may include the partition in a request now.</summary>
    public bool IsFetchable(long nowTicks) =>
        !Removed && !Paused && !FetchInFlight && LeaderId >= 0 && PendingPosition == PositionSource.Known && FetchOffset >= 0 && nowTicks >= RetryAfterTicks;

    /// <summary>Sets both cursors to <paramref name="offset"/> and drops buffered data.</summary>
    public void SeekTo(long offset, int leaderEpoch = -1)
    {
        Position = offset;
        PositionLeaderEpoch = leaderEpoch;
        FetchOffset = offset;
        PendingPosition = PositionSource.Known;
        Resolving = false;
        Version++;
    }

    /// <summary>Forgets the position; it will be looked up from <paramref name="source"/>.</summary>
    public void ResetTo(PositionSource source)
    {
        Position = -1;
        FetchOffset = -1;
        PendingPosition = source;
        Resolving = false;
        RetryAfterTicks = 0;
        Version++;
    }
}
