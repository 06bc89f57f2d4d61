using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Producer;

/// <summary>Building produce requests, sending them, and handling what comes back.</summary>
internal sealed partial class Sender
{
    /// <summary>Highest Produce version this client writes (the codecs' maximum); 3 is the first with RecordBatch v2.</summary>
    private const short MinProduceVersion = 3;
    private const short MaxProduceVersion = 11;

    /// <summary>zstd batches need Produce v7 (KIP-110): older brokers cannot tell the codec.</summary>
    private const short FirstZstdProduceVersion = 7;

    private void SendRequest(NodeState node)
    {
        ProducerBatch[] batches = [.. node.Pending];
        node.Pending.Clear();
        node.PendingBytes = 0;
        KafkaConnection connection = node.Connection!;
        ProduceRequest request;
        short version;
        try
        {
            version = connection.PickVersion(ApiKey.Produce, MinProduceVersion, MaxProduceVersion);
            if (_options.Compression == CompressionType.Zstd && version < FirstZstdProduceVersion)
            {
                throw new KafkaException(
                    ErrorCode.UnsupportedCompressionType,
                    $"Broker {node.NodeId} supports Produce up to v{version}; zstd needs v{FirstZstdProduceVersion}. Use another compression.type.");
            }

            request = BuildRequest(batches);
        }
        catch (KafkaException e)
        {
            foreach (ProducerBatch batch in batches)
            {
                OnBatchError(batch, e.Error, e.Message);
            }

            return;
        }
#pragma warning disable CA1031 // Batches already counted in flight must be completed whatever went wrong.
        catch (Exception e)
#pragma warning restore CA1031
        {
            foreach (ProducerBatch batch in batches)
            {
                OnBatchError(batch, ErrorCode.UnknownServerError, $"Could not build the produce request: {e.Message}");
            }

            return;
        }

        node.RequestSent();
        Interlocked.Increment(ref _inFlightRequests);

        // Both calls queue the request on the connection before returning, so requests hit the wire in this order.
        Task sent = _options.Acks == Acks.None
            ? connection.SendWithoutResponseAsync(request, version, CancellationToken.None)
            : connection.SendAsync<ProduceResponse>(request, version, CancellationToken.None);
        node.LastHandled = HandleAsync(node.LastHandled, node, connection, sent, batches);
    }

    private ProduceRequest BuildRequest(ProducerBatch[] batches)
    {
        var request = new ProduceRequest
        {
            TransactionalId = null,
            Acks = (short)_options.Acks,
            TimeoutMs = (int)Math.Min(int.MaxValue, _options.RequestTimeout.TotalMilliseconds),
        };
        foreach (ProducerBatch batch in batches)
        {
            ProduceRequest.TopicProduceData? topic = null;
            foreach (ProduceRequest.TopicProduceData existing in request.TopicData)
            {
                if (ReferenceEquals(existing.Name, batch.Queue.Topic) || existing.Name == batch.Queue.Topic)
                {
                    topic = existing;
                    break;
                }
            }

            if (topic is null)
            {
                topic = new ProduceRequest.TopicProduceData { Name = batch.Queue.Topic };
                request.TopicData.Add(topic);
            }

            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData
            {
                Index = batch.Queue.Partition,
                Records = KafkaRecords.FromBytes(batch.Seal(_options.Compression)),
            });
        }

        return request;
    }

    private async Task HandleAsync(Task previous, NodeState node, KafkaConnection connection, Task sent, ProducerBatch[] batches)
    {
        await previous.ConfigureAwait(false);
        try
        {
            await sent.ConfigureAwait(false);
            if (sent is Task<ProduceResponse> answered)
            {
                HandleResponse(answered.Result, batches);
            }
            else
            {
                foreach (ProducerBatch batch in batches)
                {
                    Succeed(batch, baseOffset: -1, logAppendTimeMs: -1);
                }
            }
        }
        catch (KafkaException e)
        {
            ProducerLog.RequestFailed(_logger, node.NodeId, e.Error, e.Message);
            if (e.Error is ErrorCode.NetworkException or ErrorCode.RequestTimedOut)
            {
                // Like the Java client, drop the connection after a timeout too: the next one starts clean.
                _cluster.Invalidate(node.NodeId, connection);
                _metadataNeeded = true;
            }

            foreach (ProducerBatch batch in batches)
            {
                OnBatchError(batch, e.Error, e.Message);
            }
        }
#pragma warning disable CA1031 // Whatever went wrong, every batch of the request must be completed or requeued.
        catch (Exception e)
#pragma warning restore CA1031
        {
            foreach (ProducerBatch batch in batches)
            {
                OnBatchError(batch, ErrorCode.UnknownServerError, e.Message);
            }
        }
        finally
        {
            node.RequestDone();
            Interlocked.Decrement(ref _inFlightRequests);
            _signal.Set();
        }
    }

    private void HandleResponse(ProduceResponse response, ProducerBatch[] batches)
    {
        foreach (ProducerBatch batch in batches)
        {
            ProduceResponse.PartitionProduceResponse? answer = Find(response, batch.Queue.Topic, batch.Queue.Partition);
            if (answer is null)
            {
                OnBatchError(batch, ErrorCode.NetworkException, "The produce response did not mention the partition.");
                continue;
            }

            var error = (ErrorCode)answer.ErrorCode;
            if (error == ErrorCode.None)
            {
                Succeed(batch, answer.BaseOffset, answer.LogAppendTimeMs);
            }
            else
            {
                OnBatchError(batch, error, answer.ErrorMessage);
            }
        }
    }

    private static ProduceResponse.PartitionProduceResponse? Find(ProduceResponse response, string topic, int partition)
    {
        foreach (ProduceResponse.TopicProduceResponse t in response.Responses)
        {
            if (t.Name != topic)
            {
                continue;
            }

            foreach (ProduceResponse.PartitionProduceResponse p in t.PartitionResponses)
            {
                if (p.Index == partition)
                {
                    return p;
                }
            }
        }

        return null;
    }
}
