using FastLog.Client.Tests.Support;
using FastLog.Format;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Tests.Producer;

/// <summary>What the fake broker does with one partition of one produce request.</summary>
internal enum ProduceFault
{
    /// <summary>Append (or recognise a duplicate) and answer success.</summary>
    None,

    /// <summary>Append, then answer NOT_LEADER_OR_FOLLOWER: the write happened but the producer must not know (a lost acknowledgement).</summary>
    WriteThenNotLeader,

    /// <summary>Answer NOT_LEADER_OR_FOLLOWER without writing.</summary>
    NotLeader,

    /// <summary>Answer UNKNOWN_PRODUCER_ID without writing, as a broker that lost the producer's state does.</summary>
    UnknownProducerId,
}

/// <summary>
/// A one-node Kafka fake for producer tests that need leadership errors a single FastLog node never produces. It
/// speaks the real protocol (ApiVersions, Metadata, InitProducerId, Produce), keeps each partition's records in
/// memory, and checks idempotent sequences like a broker (a retried batch of the last five is answered as a
/// duplicate, a gap is OUT_OF_ORDER_SEQUENCE_NUMBER), so a test can see whether retries lost, duplicated or reordered
/// anything. <see cref="Faults"/> decides, per produce request and partition, what goes wrong.
/// </summary>
internal sealed class FakeIdempotentBroker : LoopbackKafkaServer
{
    private readonly Lock _gate = new();
    private readonly PartitionLog[] _partitions;
    private int _produceRequests;

    public FakeIdempotentBroker(string topic, int partitions)
    {
        Topic = topic;
        _partitions = new PartitionLog[partitions];
        for (int i = 0; i < partitions; i++)
        {
            _partitions[i] = new PartitionLog();
        }

        Start();
    }

    public string Topic { get; }

    /// <summary>Decides the fate of (produce request number from 1, partition).</summary>
    public Func<int, int, ProduceFault> Faults { get; set; } = (_, _) => ProduceFault.None;

    public int ProduceRequests => Volatile.Read(ref _produceRequests);

    public int DuplicatesAnswered { get; private set; }

    public int OutOfOrderAnswered { get; private set; }

    /// <summary>The epochs InitProducerId handed out, in order.</summary>
    public List<short> EpochsGiven { get; } = [];

    /// <summary>The values appended to <paramref name="partition"/>, in log order.</summary>
    public List<byte[]> Values(int partition)
    {
        lock (_gate)
        {
            return [.. _partitions[partition].Values];
        }
    }

    protected override IKafkaMessage? Answer(RequestHeader header, IKafkaMessage request) => request switch
    {
        ApiVersionsRequest => new ApiVersionsResponse
        {
            ApiKeys =
            [
                new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.ApiVersions, MinVersion = 0, MaxVersion = 3 },
                new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.Metadata, MinVersion = 0, MaxVersion = 12 },
                new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.Produce, MinVersion = 3, MaxVersion = 11 },
                new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.InitProducerId, MinVersion = 0, MaxVersion = 4 },
            ],
        },
        MetadataRequest => Metadata(),
        InitProducerIdRequest init => InitProducerId(init),
        ProduceRequest produce => Produce(produce),
        _ => throw new InvalidOperationException($"The fake broker does not serve {header.ApiKey}."),
    };

    private InitProducerIdResponse InitProducerId(InitProducerIdRequest request)
    {
        short epoch = request.ProducerEpoch >= 0 ? (short)(request.ProducerEpoch + 1) : (short)0;
        lock (_gate)
        {
            EpochsGiven.Add(epoch);
        }

        return new InitProducerIdResponse { ProducerId = 4242, ProducerEpoch = epoch };
    }

    private MetadataResponse Metadata()
    {
        var topic = new MetadataResponse.MetadataResponseTopic { Name = Topic, TopicId = Guid.NewGuid() };
        for (int i = 0; i < _partitions.Length; i++)
        {
            topic.Partitions.Add(new MetadataResponse.MetadataResponsePartition { PartitionIndex = i, LeaderId = 1, LeaderEpoch = 0, ReplicaNodes = [1], IsrNodes = [1] });
        }

        return new MetadataResponse
        {
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 1, Host = "127.0.0.1", Port = Port }],
            ControllerId = 1,
            ClusterId = "fake",
            Topics = [topic],
        };
    }

    private ProduceResponse? Produce(ProduceRequest request)
    {
        int number = Interlocked.Increment(ref _produceRequests);
        var response = new ProduceResponse();
        foreach (ProduceRequest.TopicProduceData topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            foreach (ProduceRequest.PartitionProduceData data in topic.PartitionData)
            {
                ProduceFault fault = Faults(number, data.Index);
                var answer = new ProduceResponse.PartitionProduceResponse { Index = data.Index, BaseOffset = -1 };
                topicResponse.PartitionResponses.Add(answer);
                if (fault is ProduceFault.NotLeader or ProduceFault.UnknownProducerId)
                {
                    answer.ErrorCode = (short)(fault == ProduceFault.NotLeader ? ErrorCode.NotLeaderOrFollower : ErrorCode.UnknownProducerId);
                    continue;
                }

                lock (_gate)
                {
                    (ErrorCode error, long baseOffset) = Append(_partitions[data.Index], data.Records.Bytes.Span);
                    answer.ErrorCode = (short)(fault == ProduceFault.WriteThenNotLeader && error == ErrorCode.None ? ErrorCode.NotLeaderOrFollower : error);
                    answer.BaseOffset = answer.ErrorCode == 0 ? baseOffset : -1;
                }
            }
        }

        return request.Acks == 0 ? null : response;
    }

    private (ErrorCode Error, long BaseOffset) Append(PartitionLog log, ReadOnlySpan<byte> batch)
    {
        var header = new RecordBatchHeader(batch);
        Assert.Equal(header.Crc, RecordBatchHeader.ComputeCrc(batch[..header.SizeInBytes]));
        int first = header.BaseSequence;
        int last = first + header.LastOffsetDelta;
        if (header.ProducerId >= 0)
        {
            if (header.ProducerEpoch != log.Epoch)
            {
                // A new epoch starts over at sequence 0.
                if (first != 0)
                {
                    OutOfOrderAnswered++;
                    return (ErrorCode.OutOfOrderSequenceNumber, -1);
                }

                log.Epoch = header.ProducerEpoch;
                log.Recent.Clear();
            }
            else
            {
                foreach ((int First, int Last, long Offset) seen in log.Recent)
                {
                    if (seen.First == first && seen.Last == last)
                    {
                        DuplicatesAnswered++;
                        return (ErrorCode.None, seen.Offset);
                    }
                }

                int expected = log.Recent.Count == 0 ? 0 : log.Recent[^1].Last + 1;
                if (first != expected)
                {
                    OutOfOrderAnswered++;
                    return (ErrorCode.OutOfOrderSequenceNumber, -1);
                }
            }
        }

        long baseOffset = log.Values.Count;
        using var scratch = new PooledBufferWriter();
        var reader = new RecordBatchReader(batch, scratch, int.MaxValue);
        foreach (RecordView record in reader.GetRecords())
        {
            log.Values.Add(record.Value.ToArray());
        }

        log.Recent.Add((first, last, baseOffset));
        if (log.Recent.Count > 5)
        {
            log.Recent.RemoveAt(0);
        }

        return (ErrorCode.None, baseOffset);
    }

    private sealed class PartitionLog
    {
        public List<byte[]> Values { get; } = [];

        public List<(int First, int Last, long Offset)> Recent { get; } = [];

        public short Epoch { get; set; } = -1;
    }
}
