using System.Runtime.ExceptionServices;

namespace FastLog.Client.Consumer;

/// <summary>Reading records, and the rebalance steps and auto-commits that run between them.</summary>
public sealed partial class KafkaConsumer<TKey, TValue>
{
    /// <summary>
    /// Waits for the next record and returns it deserialized, with its own copies of key, value and headers.
    /// Also where rebalance handlers run and background errors surface.
    /// </summary>
    /// <exception cref="KafkaException">
    /// A background failure: the cluster or coordinator unreachable for <c>request.timeout.ms</c>, no offset to start
    /// from with <c>auto.offset.reset=none</c>, a fatal group error, corrupt data. The consumer stays usable.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The consumer is closed.</exception>
    public async ValueTask<ConsumeResult<TKey, TValue>> ConsumeAsync(CancellationToken cancellationToken = default)
    {
        EnterRead();
        try
        {
            if (!await _stream.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new ObjectDisposedException(GetType().Name, "The consumer was closed.");
            }

            return ToResult(_stream.Current);
        }
        finally
        {
            ExitRead();
        }
    }

    /// <summary>As <see cref="ConsumeAsync(CancellationToken)"/>, but gives null when no record arrives within <paramref name="timeout"/>.</summary>
    public async ValueTask<ConsumeResult<TKey, TValue>?> ConsumeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await ConsumeAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Every record, as zero-copy <see cref="ConsumedRecord"/> views: key, value and headers point into the fetched
    /// response and are valid only until the enumeration moves on. Nothing is allocated per record. The
    /// enumeration ends when the consumer is closed; failures surface as in <see cref="ConsumeAsync(CancellationToken)"/>.
    /// One enumeration (or consume call) at a time.
    /// </summary>
    public IAsyncEnumerable<ConsumedRecord> ReadAllAsync(CancellationToken cancellationToken = default) => new RecordEnumerable(this, cancellationToken);

    /// <summary>The key of <paramref name="record"/> through <see cref="KeyDeserializer"/>.</summary>
    public TKey DeserializeKey(in ConsumedRecord record) => record.GetKey(KeyDeserializer);

    /// <summary>The value of <paramref name="record"/> through <see cref="ValueDeserializer"/>.</summary>
    public TValue DeserializeValue(in ConsumedRecord record) => record.GetValue(ValueDeserializer);

    private ConsumeResult<TKey, TValue> ToResult(in ConsumedRecord record) => new()
    {
        Topic = record.Topic,
        Partition = record.Partition,
        Offset = record.Offset,
        Timestamp = record.Timestamp,
        TimestampType = record.TimestampType,
        LeaderEpoch = record.LeaderEpoch,
        Key = record.GetKey(KeyDeserializer),
        Value = record.GetValue(ValueDeserializer),
        Headers = record.Headers.Count == 0 ? [] : record.Headers.ToList(),
    };

    private void EnterRead()
    {
        int previous = Interlocked.CompareExchange(ref _reading, 1, 0);
        if (previous == 1)
        {
            throw new InvalidOperationException("Another read of this consumer is in progress: a consumer has one reading thread.");
        }

        if (previous == 2 || Volatile.Read(ref _closed) != 0)
        {
            if (previous == 0)
            {
                Volatile.Write(ref _reading, 0);
            }

            throw new ObjectDisposedException(GetType().Name, "The consumer was closed.");
        }
    }

    private void ExitRead()
    {
        Volatile.Write(ref _reading, 0);
        if (Volatile.Read(ref _closed) != 0 && _closing is { IsCompleted: true } && Interlocked.CompareExchange(ref _reading, 2, 0) == 0)
        {
            // Closing finished while this read was under way and left the stream to it.
            _stream.Dispose();
        }
    }

    /// <summary>
    /// The reading thread's slow path after a signal: rebalance steps, a due auto-commit, a reported error.
    /// False once the consumer is closed.
    /// </summary>
    private async ValueTask<bool> ProcessSignalsAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            return false;
        }

        try
        {
            while (_actions.TryDequeue(out GroupAction? action))
            {
                await ApplyAsync(action).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!_actions.IsEmpty)
            {
                // A handler threw with steps still queued: the next read must come back here for them.
                _signals.Raise();
            }
        }

        if (_autoCommitDue)
        {
            _autoCommitDue = false;
            StartAutoCommit();
        }

        KafkaException? error = Interlocked.Exchange(ref _pendingError, null);
        if (error is not null)
        {
            throw error;
        }

        return true;
    }

    /// <summary>
    /// One rebalance step, in the Java client's order: commit revoked positions, revoked handler, stop reading
    /// them; lost handler, stop reading them; add assigned partitions, assigned handler (which may seek them).
    /// Not cancellable by the reader's token: the group waits for the step to finish.
    /// </summary>
    private async Task ApplyAsync(GroupAction action)
    {
        Exception? failure = null;
        if (action.Abandoned)
        {
            // The member already left the group (max.poll.interval.ms passed): everything held is lost.
            List<TopicPartition> held = _subscription.AssignedPartitions();
            try
            {
                if (held.Count > 0)
                {
                    ConsumerLog.PartitionsChanged(_logger, "lost", held);
                    failure = Raise(PartitionsLost, nameof(PartitionsLost), held);
                    _subscription.Remove(held);
                }
            }
            finally
            {
                action.Done.TrySetResult();
            }

            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            return;
        }

        try
        {
            if (action.Revoked.Count > 0)
            {
                if (action.CommitRevoked && _committer is not null)
                {
                    using var bounded = new CancellationTokenSource(_options.RequestTimeout);
                    try
                    {
                        await _committer.CommitAsync(CurrentPositions(action.Revoked), bounded.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is KafkaException or OperationCanceledException)
                    {
                        ConsumerLog.AutoCommitFailed(_logger, _options.GroupId!, e.Message);
                    }
                }

                ConsumerLog.PartitionsChanged(_logger, "revoked", action.Revoked);
                failure ??= Raise(PartitionsRevoked, nameof(PartitionsRevoked), action.Revoked);
                _subscription.Remove(action.Revoked);
            }

            if (action.Lost.Count > 0)
            {
                ConsumerLog.PartitionsChanged(_logger, "lost", action.Lost);
                failure ??= Raise(PartitionsLost, nameof(PartitionsLost), action.Lost);
                _subscription.Remove(action.Lost);
            }

            if (action.Assigned is not null)
            {
                _subscription.AddAssigned(action.Assigned, PositionSource.Committed);
                ConsumerLog.PartitionsChanged(_logger, "assigned", action.Assigned);
                failure ??= Raise(PartitionsAssigned, nameof(PartitionsAssigned), action.Assigned);
            }
        }
        finally
        {
            action.Done.TrySetResult();
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Calls a handler; its exception is returned (and later rethrown) so the step still completes.</summary>
    private Exception? Raise(EventHandler<PartitionsEventArgs>? handler, string name, IReadOnlyList<TopicPartition> partitions)
    {
        if (handler is null)
        {
            return null;
        }

        try
        {
            handler(this, new PartitionsEventArgs(partitions));
            return null;
        }
#pragma warning disable CA1031 // A handler's failure must not break the rebalance; it is rethrown to the reader afterwards.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ConsumerLog.HandlerFailed(_logger, name, e.Message);
            return e;
        }
    }

    /// <summary>Commits all positions in the background (one at a time); failures are logged, as Java's are.</summary>
    private void StartAutoCommit()
    {
        if (_committer is null || !_autoCommit.IsCompleted)
        {
            return;
        }

        List<TopicPartitionOffset> positions = CurrentPositions(null);
        if (positions.Count == 0)
        {
            return;
        }

        _autoCommit = AutoCommitAsync(_committer, positions);
    }

    private async Task AutoCommitAsync(OffsetCommitter committer, List<TopicPartitionOffset> positions)
    {
        using var bounded = new CancellationTokenSource(_options.RequestTimeout);
        try
        {
            await committer.CommitAsync(positions, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException or ObjectDisposedException)
        {
            ConsumerLog.AutoCommitFailed(_logger, _options.GroupId!, e.Message);
        }
    }

    /// <summary>The positions to commit: of <paramref name="partitions"/>, or of every assigned partition when null.</summary>
    private List<TopicPartitionOffset> CurrentPositions(IReadOnlyCollection<TopicPartition>? partitions)
    {
        var wanted = partitions is null ? null : new HashSet<TopicPartition>(partitions);
        var positions = new List<TopicPartitionOffset>();
        foreach (PartitionState state in _subscription.Partitions)
        {
            long position = Volatile.Read(ref state.Position);
            if (position >= 0 && (wanted is null || wanted.Contains(state.TopicPartition)))
            {
                positions.Add(new TopicPartitionOffset(state.TopicPartition, position) { LeaderEpoch = state.PositionLeaderEpoch });
            }
        }

        return positions;
    }

    /// <summary>The <see cref="ReadAllAsync"/> sequence: one enumerator (allocated once) per enumeration.</summary>
    private sealed class RecordEnumerable(KafkaConsumer<TKey, TValue> consumer, CancellationToken cancellationToken) : IAsyncEnumerable<ConsumedRecord>
    {
        public IAsyncEnumerator<ConsumedRecord> GetAsyncEnumerator(CancellationToken enumeratorToken = default)
        {
            consumer.EnterRead();
            return new RecordEnumerator(consumer, cancellationToken, enumeratorToken);
        }
    }

    /// <summary>Forwards to the consumer's <see cref="RecordStream"/>; the fast path allocates nothing.</summary>
    private sealed class RecordEnumerator : IAsyncEnumerator<ConsumedRecord>
    {
        private readonly KafkaConsumer<TKey, TValue> _consumer;
        private readonly CancellationTokenSource? _linked;
        private readonly CancellationToken _token;
        private bool _disposed;

        public RecordEnumerator(KafkaConsumer<TKey, TValue> consumer, CancellationToken first, CancellationToken second)
        {
            _consumer = consumer;
            if (first.CanBeCanceled && second.CanBeCanceled)
            {
                _linked = CancellationTokenSource.CreateLinkedTokenSource(first, second);
                _token = _linked.Token;
            }
            else
            {
                _token = first.CanBeCanceled ? first : second;
            }
        }

        public ConsumedRecord Current => _consumer._stream.Current;

        public ValueTask<bool> MoveNextAsync()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _consumer._stream.MoveNextAsync(_token);
        }

        public ValueTask DisposeAsync()
        {
            if (!_disposed)
            {
                _disposed = true;
                _linked?.Dispose();
                _consumer.ExitRead();
            }

            return ValueTask.CompletedTask;
        }
    }
}
