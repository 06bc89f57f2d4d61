using FastLog.Server.Tests.Support;
using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using FastLog.Format;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Tests.Fuzz;

/// <summary>How a length or count field is encoded on the wire.</summary>
internal enum FieldWidth
{
    Int16,
    Int32,
    UnsignedVarInt,
}

/// <summary>A length or count field inside a seed frame, found by looking around the values the seed was built with.</summary>
internal readonly record struct FieldAt(int Offset, FieldWidth Width, int EncodedBytes);

/// <summary>
/// One valid request frame (size prefix included) and the positions a structure-aware mutation can aim
/// at: string lengths, array counts, the records length and the record batch itself.
/// </summary>
internal sealed class SeedRequest
{
    public required string Name { get; init; }

    public required ApiKey ApiKey { get; init; }

    public required short ApiVersion { get; init; }

    public required byte[] Frame { get; init; }

    public List<FieldAt> StringLengths { get; } = [];

    public List<FieldAt> ArrayCounts { get; } = [];

    public FieldAt? RecordsLength { get; set; }

    /// <summary>False for acks=0 produce requests, which the broker answers with nothing.</summary>
    public bool ExpectsResponse { get; init; } = true;

    public int CorrelationId => BinaryPrimitives.ReadInt32BigEndian(Frame.AsSpan(8));

    /// <summary>Offset of the record batch in <see cref="Frame"/>, or -1.</summary>
    public int BatchOffset { get; set; } = -1;

    public int BatchLength { get; set; }

    public override string ToString() => Name;
}

/// <summary>
/// The seed corpus: valid requests for every API the broker serves, at several versions each, built with
/// FastLog.Protocol. Produce seeds carry real record batches (every codec) for <see cref="Topic"/>.
/// </summary>
internal sealed class FuzzSeeds
{
    public const string Topic = "fuzz-topic";
    public const string ClientId = "fuzz";
    public const string GroupId = "fuzz-group";

    /// <summary>The broker's message.max.bytes in the fuzz run; the oversize seed's batch is larger.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private static readonly string[] KnownStrings = [Topic, ClientId, GroupId, "fuzz-client", "1.0.0", "fuzz-rack"];

    private FuzzSeeds(List<SeedRequest> seeds, List<SeedRequest> oversize, List<byte[]> validBatches)
    {
        Seeds = seeds;
        Oversize = oversize;
        ValidBatches = validBatches;
    }

    /// <summary>Seeds that a broker answers normally.</summary>
    public IReadOnlyList<SeedRequest> Seeds { get; }

    /// <summary>Produce requests whose batch is larger than message.max.bytes (valid otherwise).</summary>
    public IReadOnlyList<SeedRequest> Oversize { get; }

    /// <summary>Every record batch the valid produce seeds carry, as built (base offset 0).</summary>
    public IReadOnlyList<byte[]> ValidBatches { get; }

    public static FuzzSeeds Build()
    {
        var seeds = new List<SeedRequest>();
        var batches = new List<byte[]>();
        int correlation = 1;

        foreach (short v in new short[] { 0, 1, 2, 3, 4 })
        {
            seeds.Add(Make($"ApiVersions v{v}", v, ref correlation, new ApiVersionsRequest { ClientSoftwareName = "fuzz-client", ClientSoftwareVersion = "1.0.0" }));
        }

        seeds.Add(Make("Metadata v0 all", 0, ref correlation, new MetadataRequest { Topics = [] }));
        seeds.Add(Make("Metadata v1 all", 1, ref correlation, new MetadataRequest { Topics = null }));
        foreach (short v in new short[] { 1, 4, 8, 9, 10, 12 })
        {
            seeds.Add(Make($"Metadata v{v}", v, ref correlation, new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = Topic }], AllowAutoTopicCreation = false }));
        }

        var codecs = new[] { CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd };
        int batchNumber = 0;
        foreach (short v in new short[] { 3, 5, 7, 8, 9, 11 })
        {
            foreach (var acks in new short[] { 1, 0, -1 })
            {
                // acks=all waits for an fsync: one seed is enough.
                if (acks == -1 && v != 11)
                {
                    continue;
                }

                var codec = codecs[batchNumber % codecs.Length];
                byte[] batch = BuildBatch(batchNumber++, codec, records: 1 + (batchNumber % 4), valueBytes: 16 + (batchNumber * 7 % 200));
                batches.Add(batch);
                seeds.Add(MakeProduce($"Produce v{v} acks={acks} {codec}", v, acks, batch, ref correlation));
            }
        }

        var oversize = new List<SeedRequest>();
        foreach (short v in new short[] { 3, 9 })
        {
            byte[] big = BuildBatch(batchNumber++, CompressionCodec.None, records: 2, valueBytes: (MaxMessageBytes / 2) + 1024);
            oversize.Add(MakeProduce($"Produce v{v} oversize batch", v, 1, big, ref correlation));
        }

        foreach (short v in new short[] { 4, 7, 11, 12 })
        {
            seeds.Add(Make($"Fetch v{v}", v, ref correlation, Fetch(fetchOffset: 0, maxWaitMs: 0, minBytes: 1)));
            seeds.Add(Make($"Fetch v{v} long poll", v, ref correlation, Fetch(fetchOffset: 0, maxWaitMs: 10, minBytes: 1 << 24)));
        }

        foreach (short v in new short[] { 1, 4, 6, 7 })
        {
            long[] timestamps = v >= 7 ? [-1, -2, -3, 1_700_000_000_000] : [-1, -2, 1_700_000_000_000];
            foreach (long ts in timestamps)
            {
                seeds.Add(Make($"ListOffsets v{v} ts={ts}", v, ref correlation, new ListOffsetsRequest
                {
                    ReplicaId = -1,
                    Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = Topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = ts }] }],
                }));
            }
        }

        foreach (short v in new short[] { 0, 2, 3, 4 })
        {
            seeds.Add(Make($"InitProducerId v{v}", v, ref correlation, new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60_000 }));
        }

        foreach (short v in new short[] { 0, 1, 3, 4 })
        {
            seeds.Add(Make($"FindCoordinator v{v}", v, ref correlation, new FindCoordinatorRequest { Key = GroupId, KeyType = 0, CoordinatorKeys = [GroupId] }));
        }

        foreach (short v in new short[] { 2, 3, 4 })
        {
            seeds.Add(Make($"OffsetForLeaderEpoch v{v}", v, ref correlation, new OffsetForLeaderEpochRequest
            {
                ReplicaId = -1,
                Topics = [new OffsetForLeaderEpochRequest.OffsetForLeaderTopic { Topic = Topic, Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = 0, LeaderEpoch = 0 }] }],
            }));
        }

        return new FuzzSeeds(seeds, oversize, batches);
    }

    /// <summary>Creates <see cref="Topic"/> (one partition) through Metadata auto-creation, as the fuzz run and its regression tests start.</summary>
    public static async Task CreateTopicAsync(WireClient client)
    {
        var metadata = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = Topic }], AllowAutoTopicCreation = true }, 12);
        Assert.Equal(0, metadata.Topics.Single().ErrorCode);
    }

    public static FetchRequest Fetch(long fetchOffset, int maxWaitMs, int minBytes) => new()
    {
        ReplicaId = -1,
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        MaxBytes = 1 << 20,
        Topics = [new FetchRequest.FetchTopic { Topic = Topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = fetchOffset, PartitionMaxBytes = 1 << 20 }] }],
        RackId = "fuzz-rack",
    };

    public static byte[] BuildBatch(int number, CompressionCodec codec, int records, int valueBytes)
    {
        using var builder = new RecordBatchBuilder { Compression = codec };
        for (int i = 0; i < records; i++)
        {
            var value = new byte[valueBytes];
            for (int b = 0; b < value.Length; b++)
            {
                value[b] = (byte)(number + (i * 31) + b);
            }

            RecordHeader[]? headers = i % 2 == 0 ? [new RecordHeader("h", [(byte)number])] : null;
            builder.Append(1_700_000_000_000 + (number * 10) + i, Encoding.UTF8.GetBytes($"key-{number}-{i}"), value, headers);
        }

        return builder.Build();
    }

    public static byte[] Encode(IKafkaMessage body, short version, int correlationId)
    {
        var output = new ArrayBufferWriter<byte>();
        KafkaFrame.WriteRequest(output, new RequestHeader { ApiVersion = version, CorrelationId = correlationId, ClientId = ClientId }, body);
        return output.WrittenSpan.ToArray();
    }

    public static ProduceRequest Produce(short acks, byte[] batch) => new()
    {
        Acks = acks,
        TimeoutMs = 30_000,
        TransactionalId = null,
        TopicData = [new ProduceRequest.TopicProduceData { Name = Topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = KafkaRecords.FromBytes(batch) }] }],
    };

    private static SeedRequest MakeProduce(string name, short version, short acks, byte[] batch, ref int correlation)
    {
        byte[] frame = Encode(Produce(acks, batch), version, correlation++);
        var seed = new SeedRequest { Name = name, ApiKey = ApiKey.Produce, ApiVersion = version, Frame = frame, ExpectsResponse = acks != 0 };
        LocateFields(seed);
        int at = seed.Frame.AsSpan().IndexOf(batch);
        if (at < 0)
        {
            throw new InvalidOperationException($"{name}: batch not found in its frame");
        }

        seed.BatchOffset = at;
        seed.BatchLength = batch.Length;
        bool flexible = IsFlexible(seed.ApiKey, version);
        if (flexible)
        {
            int width = UnsignedVarIntSize((uint)batch.Length + 1);
            seed.RecordsLength = new FieldAt(at - width, FieldWidth.UnsignedVarInt, width);
        }
        else
        {
            seed.RecordsLength = new FieldAt(at - 4, FieldWidth.Int32, 4);
        }

        return seed;
    }

    private static SeedRequest Make(string name, short version, ref int correlation, IKafkaMessage body)
    {
        byte[] frame = Encode(body, version, correlation++);
        var seed = new SeedRequest { Name = name, ApiKey = body.ApiKey, ApiVersion = version, Frame = frame };
        LocateFields(seed);
        return seed;
    }

    private static bool IsFlexible(ApiKey apiKey, short version) => ApiHeaderVersions.Request(apiKey, version) == 2;

    /// <summary>
    /// Finds the length fields of the strings the seed was built with, and the array counts around them:
    /// the one before a topic-like string (optionally before a topic id) and the one right after it.
    /// Candidates are kept only when the bytes there hold the value a count of one would have.
    /// </summary>
    private static void LocateFields(SeedRequest seed)
    {
        var frame = seed.Frame;
        bool flexibleBody = IsFlexible(seed.ApiKey, seed.ApiVersion);

        // The client id: header, always int16-prefixed, right after apiKey, apiVersion and correlation id.
        seed.StringLengths.Add(new FieldAt(4 + 8, FieldWidth.Int16, 2));
        int bodyStart = 4 + 8 + 2 + ClientId.Length + (flexibleBody ? 1 : 0);
        foreach (string s in KnownStrings)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s);
            int from = bodyStart;
            while (from < frame.Length)
            {
                int hit = frame.AsSpan(from).IndexOf(bytes);
                if (hit < 0)
                {
                    break;
                }

                int at = from + hit;
                from = at + bytes.Length;
                FieldAt length;
                if (!flexibleBody && at >= 2 && BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(at - 2)) == bytes.Length)
                {
                    length = new FieldAt(at - 2, FieldWidth.Int16, 2);
                }
                else if (flexibleBody && at >= 1 && frame[at - 1] == bytes.Length + 1)
                {
                    length = new FieldAt(at - 1, FieldWidth.UnsignedVarInt, 1);
                }
                else
                {
                    continue;
                }

                seed.StringLengths.Add(length);
                foreach (int before in new[] { length.Offset, length.Offset - 16 })
                {
                    AddCountIfOne(seed, before - (flexibleBody ? 1 : 4), flexibleBody);
                }

                AddCountIfOne(seed, at + bytes.Length, flexibleBody);
            }
        }
    }

    private static void AddCountIfOne(SeedRequest seed, int offset, bool flexible)
    {
        var frame = seed.Frame;
        if (offset < 4 + 8 || offset + 4 > frame.Length)
        {
            return;
        }

        if (flexible ? frame[offset] == 2 : BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(offset)) == 1)
        {
            seed.ArrayCounts.Add(flexible ? new FieldAt(offset, FieldWidth.UnsignedVarInt, 1) : new FieldAt(offset, FieldWidth.Int32, 4));
        }
    }

    public static int UnsignedVarIntSize(uint value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }
}
