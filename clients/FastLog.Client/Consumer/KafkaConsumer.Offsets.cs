namespace FastLog.Client.Consumer;

/// <summary>Positions, seeking, pausing and offset commits.</summary>
public sealed partial class KafkaConsumer<TKey, TValue>
{
    /// <summary>
    /// Moves the position of an assigned partition: the next record read is <paramref name="offset"/>, or the log
    /// start / end / committed offset for <see cref="Offset.Beginning"/>, <see cref="Offset.End"/>,
    /// <see cref="Offset.Stored"/>. Records already fetched for the partition are dropped.
    /// </summary>
    /// <exception cref="InvalidOperationException">The partition is not assigned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative offset that is none of the special values.</exception>
    public void Seek(TopicPartition partition, long offset)
    {
        ThrowIfClosed();
        if (offset < 0 && offset is not (Offset.Beginning or Offset.End or Offset.Stored))
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "Offsets are not negative, except Offset.Beginning, Offset.End and Offset.Stored.");
        }

        lock (_subscription.Gate)
        {
            PartitionState state = AssignedState(partition);
            switch (offset)
            {
                case Offset.Beginning:
                    state.ResetTo(PositionSource.Earliest);
                    break;
                case Offset.End:
                    state.ResetTo(PositionSource.Latest);
                    break;
                case Offset.Stored:
                    state.ResetTo(_coordinator is null ? PositionResolver.ResetSource(_options.AutoOffsetReset) : PositionSource.Committed);
                    break;
                default:
                    state.SeekTo(offset);
                    break;
            }
        }

        _subscription.NotifyChanged();
        _signals.Raise();
    }

    /// <summary>Moves the position (see <see cref="Seek(TopicPartition, long)"/>).</summary>
    public void Seek(TopicPartitionOffset position) => Seek(position.TopicPartition, position.Offset);

    /// <summary>
    /// Stops fetching and returning records of <paramref name="partitions"/> (they stay assigned) until
    /// <see cref="Resume"/>; records already fetched for them are dropped and fetched again after resuming.
    /// </summary>
    /// <exception cref="InvalidOperationException">A partition is not assigned.</exception>
    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ThrowIfClosed();
        lock (_subscription.Gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                PartitionState state = AssignedState(partition);
                if (!state.Paused)
                {
                    state.Paused = true;
                    state.Version++;
                    state.FetchOffset = state.Position;
                }
            }
        }

        _signals.Raise();
    }

    /// <summary>Fetches and returns records of paused partitions again, from their positions.</summary>
    /// <exception cref="InvalidOperationException">A partition is not assigned.</exception>
    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ThrowIfClosed();
        lock (_subscription.Gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                AssignedState(partition).Paused = false;
            }
        }

        _subscription.NotifyChanged();
    }

    /// <summary>The paused partitions (sorted).</summary>
    public IReadOnlyList<TopicPartition> Paused =>
        [.. _subscription.Partitions.Where(p => p.Paused).Select(p => p.TopicPartition).Order()];

    /// <summary>
    /// The offset of the next record that will be read from <paramref name="partition"/>, or
    /// <see cref="Offset.Unset"/> while the position is still being looked up.
    /// </summary>
    /// <exception cref="InvalidOperationException">The partition is not assigned.</exception>
    public long Position(TopicPartition partition)
    {
        PartitionState? state = _subscription.Find(partition)
            ?? throw new InvalidOperationException($"{partition} is not assigned to this consumer.");
        long position = Volatile.Read(ref state.Position);
        return position >= 0 ? position : Offset.Unset;
    }

    /// <summary>
    /// Commits the current position of every assigned partition (the offsets after the records read so far) and
    /// waits for the coordinator's acknowledgement.
    /// </summary>
    /// <returns>The committed offsets.</returns>
    /// <exception cref="KafkaException">The commit failed (e.g. the group rebalanced meanwhile).</exception>
    /// <exception cref="InvalidOperationException">No <c>group.id</c>.</exception>
    public async Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        List<TopicPartitionOffset> positions = CurrentPositions(null);
        await RequireCommitter().CommitAsync(positions, cancellationToken).ConfigureAwait(false);
        return positions;
    }

    /// <summary>Commits <paramref name="offsets"/> (each the offset of the next record to read) and waits for the acknowledgement.</summary>
    /// <exception cref="KafkaException">The commit failed.</exception>
    /// <exception cref="InvalidOperationException">No <c>group.id</c>.</exception>
    public Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ThrowIfClosed();
        List<TopicPartitionOffset> list = [.. offsets];
        if (list.Exists(o => o.Offset < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(offsets), "Committed offsets are not negative.");
        }

        return RequireCommitter().CommitAsync(list, cancellationToken);
    }

    /// <summary>Commits the offset after <paramref name="result"/> (its offset + 1).</summary>
    public Task CommitAsync(ConsumeResult<TKey, TValue> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return CommitAsync([result.NextOffset], cancellationToken);
    }

    /// <summary>Synchronous <see cref="CommitAsync(CancellationToken)"/>: blocks until acknowledged (at most <c>request.timeout.ms</c> of retries).</summary>
    public IReadOnlyList<TopicPartitionOffset> Commit() => CommitAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Synchronous <see cref="CommitAsync(IEnumerable{TopicPartitionOffset}, CancellationToken)"/>.</summary>
    public void Commit(IEnumerable<TopicPartitionOffset> offsets) => CommitAsync(offsets, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Synchronous <see cref="CommitAsync(ConsumeResult{TKey, TValue}, CancellationToken)"/>.</summary>
    public void Commit(ConsumeResult<TKey, TValue> result) => CommitAsync(result, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// The group's committed offsets of <paramref name="partitions"/>; <see cref="Offset.Unset"/> for partitions
    /// with none. Retries coordinator errors until <c>request.timeout.ms</c>.
    /// </summary>
    /// <exception cref="KafkaException">The lookup failed.</exception>
    /// <exception cref="InvalidOperationException">No <c>group.id</c>.</exception>
    public async Task<IReadOnlyList<TopicPartitionOffset>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ThrowIfClosed();
        if (_coordinator is null)
        {
            throw new InvalidOperationException("Committed offsets belong to a consumer group: set group.id.");
        }

        List<TopicPartition> list = [.. partitions.Distinct()];
        Dictionary<TopicPartition, TopicPartitionOffset> found = await OffsetFetcher.FetchWithRetriesAsync(
            _coordinator, list, _options.IsolationLevel, _options.RequestTimeout, _options.RetryBackoff, cancellationToken).ConfigureAwait(false);
        return [.. list.Select(p => found.TryGetValue(p, out TopicPartitionOffset offset) ? offset : new TopicPartitionOffset(p, Offset.Unset))];
    }

    /// <summary>Synchronous <see cref="CommittedAsync"/>.</summary>
    public IReadOnlyList<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions) =>
        CommittedAsync(partitions, CancellationToken.None).GetAwaiter().GetResult();

    private OffsetCommitter RequireCommitter() =>
        _committer ?? throw new InvalidOperationException("Commits belong to a consumer group: set group.id.");

    private PartitionState AssignedState(TopicPartition partition)
    {
        PartitionState? state = _subscription.Find(partition);
        return state is null || state.Removed
            ? throw new InvalidOperationException($"{partition} is not assigned to this consumer.")
            : state;
    }
}
