using FastLog.Protocol;

namespace FastLog.Client.Producer;

/// <summary>What happens to a batch once the broker (or the network) has answered: done, retried, or failed.</summary>
internal sealed partial class Sender
{
    private void Succeed(ProducerBatch batch, long baseOffset, long logAppendTimeMs)
    {
        PartitionQueue queue = batch.Queue;
        lock (queue.Gate)
        {
            queue.InFlight.Remove(batch);
            // Never backwards: a retried batch may be acknowledged after later ones were.
            if (_identity is not null && batch.BaseSequence >= 0 && batch.ProducerEpoch == _identity.Epoch
                && (queue.LastAckedSequence < 0 || Sequences.IsAtOrBefore(queue.LastAckedSequence, batch.LastSequence)))
            {
                queue.LastAckedSequence = batch.LastSequence;
            }
        }

        Finish(batch, baseOffset, logAppendTimeMs, null);
    }

    /// <summary>Decides between a retry (the batch goes back in order, keeping its sequence) and failing it.</summary>
    private void OnBatchError(ProducerBatch batch, ErrorCode error, string? brokerMessage)
    {
        if (error == ErrorCode.DuplicateSequenceNumber)
        {
            // The broker already has this batch: it was written by an earlier attempt whose answer got lost.
            Succeed(batch, baseOffset: -1, logAppendTimeMs: -1);
            return;
        }

        PartitionQueue queue = batch.Queue;
        bool retriable = KafkaErrors.IsRetriable(error);
        string? bumpReason = null;
        if (_identity is not null)
        {
            switch (error)
            {
                case ErrorCode.OutOfOrderSequenceNumber:
                    int lastAcked;
                    lock (queue.Gate)
                    {
                        lastAcked = queue.LastAckedSequence;
                    }

                    if (lastAcked >= 0 && Sequences.IsAtOrBefore(batch.LastSequence, lastAcked))
                    {
                        // The broker acknowledged later sequences, and it only accepts them in order: this batch is in
                        // the log already (an earlier attempt wrote it; it fell out of the broker's duplicate window).
                        Succeed(batch, baseOffset: -1, logAppendTimeMs: -1);
                        return;
                    }

                    // Behind a batch that itself failed it is expected: resend in order. At the very next expected
                    // sequence it means the broker lost records it had acknowledged.
                    retriable = batch.BaseSequence != Sequences.Add(lastAcked, 1);
                    if (!retriable)
                    {
                        bumpReason = $"{queue.Topic}-{queue.Partition} reported OUT_OF_ORDER_SEQUENCE_NUMBER at the next expected sequence";
                    }

                    break;
                case ErrorCode.UnknownProducerId:
                    // The broker no longer has the producer's state (expired, or the log was truncated): restart sequences and resend.
                    retriable = true;
                    bumpReason = $"{queue.Topic}-{queue.Partition} reported UNKNOWN_PRODUCER_ID";
                    break;
                case ErrorCode.InvalidProducerEpoch:
                    bumpReason = $"{queue.Topic}-{queue.Partition} reported INVALID_PRODUCER_EPOCH";
                    break;
                default:
                    break;
            }
        }

        long now = MonotonicClock.NowMs;
        bool expired = now - batch.CreatedTicks >= _deliveryTimeoutMs;
        if (retriable && !expired && batch.Attempts <= _options.Retries)
        {
            lock (queue.Gate)
            {
                queue.InFlight.Remove(batch);
                batch.RetryAtTicks = now + _backoffMs;
                queue.Ready.InsertInOrder(batch);
                queue.UpdateQueued();
            }

            if (bumpReason is not null)
            {
                RequestEpochBump(bumpReason);
            }

            if (error is not ErrorCode.OutOfOrderSequenceNumber and not ErrorCode.UnknownProducerId)
            {
                // Leadership errors, unknown partitions, network failures: the leader may have moved.
                _metadataNeeded = true;
            }

            ProducerLog.RetryingBatch(_logger, batch.RecordCount, queue.Topic, queue.Partition, batch.Attempts, error);
            return;
        }

        lock (queue.Gate)
        {
            queue.InFlight.Remove(batch);
        }

        if (_identity is not null && batch.BaseSequence >= 0)
        {
            bumpReason ??= $"a sequenced batch for {queue.Topic}-{queue.Partition} failed ({error}), leaving a gap in the sequence";
        }

        if (bumpReason is not null)
        {
            RequestEpochBump(bumpReason);
        }

        string reason = expired
            ? $"delivery.timeout.ms ({_deliveryTimeoutMs} ms) passed; the last attempt failed with {error}{(brokerMessage is null ? "" : ": " + brokerMessage)}."
            : retriable
                ? $"{ProduceErrors.Describe(error, brokerMessage)} Gave up after {batch.Attempts} attempts (retries={_options.Retries})."
                : ProduceErrors.Describe(error, brokerMessage);
        Fail(batch, expired ? ErrorCode.RequestTimedOut : error, reason);
    }

    /// <summary>Fails a batch that is not in flight (expired in the queue, or failed above).</summary>
    private void Fail(ProducerBatch batch, ErrorCode error, string reason)
    {
        if (_identity is not null && batch.BaseSequence >= 0 && batch.Attempts > 0)
        {
            RequestEpochBump($"a sequenced batch for {batch.Queue.Topic}-{batch.Queue.Partition} expired, leaving a gap in the sequence");
        }

        ProducerLog.BatchFailed(_logger, batch.RecordCount, batch.Queue.Topic, batch.Queue.Partition, error, reason);
        Finish(batch, baseOffset: -1, logAppendTimeMs: -1, new KafkaException(error, $"Producing to {batch.Queue.Topic}-{batch.Queue.Partition} failed: {reason}"));
    }

    private void Finish(ProducerBatch batch, long baseOffset, long logAppendTimeMs, KafkaException? error)
    {
        // Memory first: a continuation run by Complete may produce again and should find the space.
        _accumulator.Memory.Release(batch.ReservedBytes);
        batch.Complete(baseOffset, logAppendTimeMs, error, _logger);
        _accumulator.EndWork();
    }

    private void RequestEpochBump(string reason)
    {
        if (!_epochBumpNeeded)
        {
            ProducerLog.EpochBumpRequested(_logger, reason);
            _epochBumpNeeded = true;
        }

        _signal.Set();
    }
}
