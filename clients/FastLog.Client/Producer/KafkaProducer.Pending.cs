using System.Numerics;
using System.Threading.Channels;
using FastLog.Format;
using FastLog.Protocol;

namespace FastLog.Client.Producer;

/// <summary>
/// The pending queue: records that could not be appended when produced, waiting in arrival order for their topic's
/// metadata or for buffer memory. One loop works through it, so the first record of a new topic and the thousand
/// produced right behind it reach their partitions in order, with one metadata lookup between them.
/// </summary>
public sealed partial class KafkaProducer<TKey, TValue>
{
    private readonly Channel<PendingRecord> _pending = Channel.CreateUnbounded<PendingRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _pendingStop = new();
    private readonly long _pendingLimitBytes;
    private readonly Task _pendingLoop;
    private int _pendingCount;
    private long _pendingBytes;

    /// <summary>Copies the record into the pending queue. False (with the reason) when the queue is full or closed.</summary>
    private bool Enqueue(string topic, int partition, scoped in RecordParts record, object? handler, out PendingRecord? pending, out KafkaException? failure)
    {
        pending = null;
        failure = null;
        int size = record.MaxEncodedSize;
        long queued = Interlocked.Add(ref _pendingBytes, size);
        if (queued > _pendingLimitBytes && queued != size)
        {
            Interlocked.Add(ref _pendingBytes, -size);
            failure = new KafkaException(
                ErrorCode.RequestTimedOut,
                $"The producer holds buffer.memory ({_options.BufferMemory} bytes) of batches and as much again of records waiting for " +
                "space or metadata: records are produced faster than the brokers acknowledge them. Await deliveries before producing more, " +
                "or raise buffer.memory.");
            return false;
        }

        Header[]? headers = null;
        if (record.Headers is { } given)
        {
            headers = new Header[given.Count];
            for (int i = 0; i < headers.Length; i++)
            {
                headers[i] = new Header(given[i].Key, given[i].Value.ToArray());
            }
        }

        pending = new PendingRecord(
            topic,
            partition,
            record.TimestampMs,
            record.KeyIsNull ? null : record.Key.ToArray(),
            record.ValueIsNull ? null : record.Value.ToArray(),
            headers,
            ReferenceEquals(handler, ProducerBatch.AwaitMarker) ? new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously) : handler,
            MonotonicClock.NowMs + (long)_options.MaxBlock.TotalMilliseconds,
            size);
        Interlocked.Increment(ref _pendingCount);
        _accumulator.BeginWork();
        if (!_pending.Writer.TryWrite(pending))
        {
            Finished(pending);
            throw new ObjectDisposedException(GetType().Name);
        }

        return true;
    }

    private static async ValueTask<DeliveryResult> AwaitPendingAsync(PendingRecord pending, CancellationToken cancellationToken)
    {
        var delivery = (TaskCompletionSource<DeliveryResult>)pending.Handler!;
        if (cancellationToken.CanBeCanceled)
        {
            CancellationTokenRegistration registration = cancellationToken.Register(() => pending.Cancel(cancellationToken));
            await using (registration.ConfigureAwait(false))
            {
                await pending.Accepted.Task.ConfigureAwait(false);
            }
        }
        else
        {
            await pending.Accepted.Task.ConfigureAwait(false);
        }

        return await delivery.Task.ConfigureAwait(false);
    }

    private async Task RunPendingAsync()
    {
        ChannelReader<PendingRecord> reader = _pending.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out PendingRecord? record))
            {
                try
                {
                    await AppendPendingAsync(record).ConfigureAwait(false);
                }
                catch (KafkaException e)
                {
                    record.Accepted.TrySetException(e);
                }
                catch (OperationCanceledException)
                {
                    record.Accepted.TrySetException(new KafkaException(ErrorCode.NetworkException, "The producer was disposed before the record was accepted."));
                }
                finally
                {
                    Finished(record);
                }
            }
        }
    }

    private async Task AppendPendingAsync(PendingRecord record)
    {
        while (!record.IsCancelled)
        {
            switch (TryAppendPending(record))
            {
                case AppendStatus.Appended:
                    record.Accepted.TrySetResult();
                    return;
                case AppendStatus.NeedMetadata:
                    await LoadTopicAsync(record.Topic, record.Partition, record.DeadlineTicks).ConfigureAwait(false);
                    break;
                default:
                    int needed = (int)BitOperations.RoundUpToPowerOf2((uint)(RecordBatchLayout.HeaderSize + record.SizeBytes));
                    await _accumulator.Memory.WaitAsync(needed, record.DeadlineTicks, _options.MaxBlock, _pendingStop.Token).ConfigureAwait(false);
                    break;
            }
        }
    }

    private AppendStatus TryAppendPending(PendingRecord pending)
    {
        var record = new RecordParts(pending.TimestampMs, pending.Key, pending.Key is null, pending.Value, pending.Value is null, pending.Headers);
        var delivery = new DeliveryTarget(pending.Handler);
        return TryAppend(pending.Topic, pending.Partition, record, ref delivery);
    }

    /// <summary>Fetches the topic's metadata (asking the broker to create it if allowed), retrying until <paramref name="deadlineTicks"/>.</summary>
    private async Task LoadTopicAsync(string topic, int partition, long deadlineTicks)
    {
        KafkaException? last = null;
        int partitionCount = 0;
        while (partitionCount == 0)
        {
            long remainingMs = deadlineTicks - MonotonicClock.NowMs;
            if (remainingMs <= 0)
            {
                throw new KafkaException(
                    last?.Error ?? ErrorCode.RequestTimedOut,
                    $"Topic '{topic}' was not available within max.block.ms ({_options.MaxBlock.TotalMilliseconds:0} ms): {last?.Message ?? "no metadata answer"} " +
                    "Check bootstrap.servers and that the brokers are reachable, and that the topic exists (or the broker may auto-create it).",
                    last);
            }

            try
            {
                ClusterMetadata metadata = await _cluster.RefreshAsync([topic], _options.AllowAutoCreateTopics, _pendingStop.Token)
                    .WaitAsync(TimeSpan.FromMilliseconds(remainingMs), _pendingStop.Token)
                    .ConfigureAwait(false);
                if (metadata.Topics.TryGetValue(topic, out TopicMetadata? known))
                {
                    if (known.Error == ErrorCode.None && known.Partitions.Count > 0)
                    {
                        partitionCount = known.Partitions.Count;
                        break;
                    }

                    last = new KafkaException(known.Error, ProduceErrors.Describe(known.Error, null));
                    if (!KafkaErrors.IsRetriable(known.Error) && known.Error != ErrorCode.None)
                    {
                        throw new KafkaException(known.Error, $"Topic '{topic}': {last.Message}");
                    }
                }
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                last = e;
            }
            catch (TimeoutException)
            {
                // The deadline check above reports it, with the last error seen.
            }

            long pauseMs = Math.Min((long)_options.RetryBackoff.TotalMilliseconds, Math.Max(0, deadlineTicks - MonotonicClock.NowMs));
            await Task.Delay(TimeSpan.FromMilliseconds(pauseMs), _pendingStop.Token).ConfigureAwait(false);
        }

        if (partition >= partitionCount)
        {
            // Fresh metadata says so: waiting would not help (the Java client waits; a clear error now is kinder).
            throw new KafkaException(
                ErrorCode.UnknownTopicOrPartition,
                $"Topic '{topic}' has {partitionCount} partitions; partition {partition} does not exist.");
        }

        _accumulator.EnsureTopic(topic, partitionCount);
    }

    private void Finished(PendingRecord record)
    {
        Interlocked.Add(ref _pendingBytes, -record.SizeBytes);
        Interlocked.Decrement(ref _pendingCount);
        _accumulator.EndWork();
    }

    /// <summary>Accepts no more records and waits for the queued ones to be appended or to fail.</summary>
    private async Task StopPendingAsync()
    {
        _pending.Writer.TryComplete();
        await _pendingLoop.ConfigureAwait(false);
        await _pendingStop.CancelAsync().ConfigureAwait(false);
        _pendingStop.Dispose();
    }
}
