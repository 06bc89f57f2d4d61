using FastLog.Protocol;

namespace FastLog.Client.Producer;

/// <summary>The sender's background chores: the idempotent producer id and epoch, and metadata refreshes.</summary>
internal sealed partial class Sender
{
    /// <summary>
    /// Makes sure an idempotent producer has an id (and a bumped epoch when one was asked for) before batches go out.
    /// Returns false while sending must wait.
    /// </summary>
    private bool PrepareIdentity(long now, ref long wakeAt)
    {
        if (_identity is null)
        {
            return true;
        }

        if (_identityInit is { } init)
        {
            if (!init.IsCompleted)
            {
                return false;
            }

            _identityInit = null;
        }

        if (_identity.HasId && !_epochBumpNeeded)
        {
            return true;
        }

        if (_accumulator.IncompleteCount == 0 && !_epochBumpNeeded)
        {
            // Nothing to send yet: an idle producer does not need an id (nor spam an unreachable cluster for one).
            return false;
        }

        if (_epochBumpNeeded && Volatile.Read(ref _inFlightRequests) > 0)
        {
            // New sequences start only once every old-epoch batch has its answer.
            return false;
        }

        if (now < _identityBackoffUntilTicks)
        {
            wakeAt = Math.Min(wakeAt, _identityBackoffUntilTicks);
            return false;
        }

        bool bump = _epochBumpNeeded && _identity.HasId;
        _epochBumpNeeded = false;
        _identityInit = InitIdentityAsync(bump);
        return false;
    }

    private async Task InitIdentityAsync(bool bump)
    {
        try
        {
            await _identity!.InitAsync(_cluster, bump, _stop.Token).ConfigureAwait(false);
            ResetSequences();
            ProducerLog.ProducerIdAssigned(_logger, _identity.ProducerId, _identity.Epoch);
        }
        catch (KafkaException e)
        {
            ProducerLog.InitProducerIdFailed(_logger, e.Error, e.Message);
            _identityBackoffUntilTicks = MonotonicClock.NowMs + _backoffMs;
            if (bump)
            {
                _epochBumpNeeded = true;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Shutting down.
        }
#pragma warning disable CA1031 // Anything else is retried after the backoff too; the sender must not lose its id task.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ProducerLog.InitProducerIdFailed(_logger, ErrorCode.UnknownServerError, e.Message);
            _identityBackoffUntilTicks = MonotonicClock.NowMs + _backoffMs;
            if (bump)
            {
                _epochBumpNeeded = true;
            }
        }
        finally
        {
            _signal.Set();
        }
    }

    /// <summary>A new producer id or epoch starts every partition's sequence at 0; queued batches get new sequences when drained.</summary>
    private void ResetSequences()
    {
        foreach (PartitionQueue queue in _accumulator.Partitions)
        {
            lock (queue.Gate)
            {
                queue.NextSequence = 0;
                queue.LastAckedSequence = -1;
                for (int i = 0; i < queue.Ready.Count; i++)
                {
                    ProducerBatch batch = queue.Ready[i];
                    batch.BaseSequence = -1;
                    batch.ProducerId = -1;
                    batch.ProducerEpoch = -1;
                }
            }
        }
    }

    private void MaybeRefreshMetadata(long now, ref long wakeAt)
    {
        if (_metadataRefresh is { } refresh)
        {
            if (!refresh.IsCompleted)
            {
                return;
            }

            _metadataRefresh = null;
            if (refresh.IsCompletedSuccessfully)
            {
                GrowTopics();
            }
            else
            {
                ErrorCode error = (refresh.Exception?.InnerException as KafkaException)?.Error ?? ErrorCode.UnknownServerError;
                ProducerLog.MetadataRefreshFailed(_logger, error);
                _metadataNeeded = true;
            }
        }

        bool periodic = _accumulator.IncompleteCount > 0 && _cluster.MetadataIsStale;
        if (!_metadataNeeded && !periodic)
        {
            return;
        }

        if (now < _metadataBackoffUntilTicks)
        {
            wakeAt = Math.Min(wakeAt, _metadataBackoffUntilTicks);
            return;
        }

        // At most one refresh per retry.backoff.ms, however many batches ask for one.
        _metadataNeeded = false;
        _metadataBackoffUntilTicks = now + _backoffMs;
        Task task = _cluster.RefreshAsync(null, _stop.Token);
        _metadataRefresh = task;
        task.ContinueWith(static (_, state) => ((SenderSignal)state!).Set(), _signal, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Adds queues for partitions a refresh revealed (the topic was given more partitions).</summary>
    private void GrowTopics()
    {
        ClusterMetadata metadata = _cluster.Metadata.Current;
        foreach (PartitionQueue queue in _accumulator.Partitions)
        {
            if (queue.Partition == 0
                && metadata.Topics.TryGetValue(queue.Topic, out TopicMetadata? topic)
                && _accumulator.TryGetTopic(queue.Topic, out TopicQueues queues)
                && topic.Partitions.Count > queues.PartitionCount)
            {
                _accumulator.EnsureTopic(queue.Topic, topic.Partitions.Count);
            }
        }
    }
}
