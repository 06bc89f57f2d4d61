using FastLog.Engine.Log;
using FastLog.Format;
using FastLog.Protocol;
using FastLog.Server.Broker;
using FastLog.Server.Metadata;

namespace FastLog.Server.Coordinator;

/// <summary>
/// Persists group records in the compacted internal topic __consumer_offsets, a group's records in
/// partition abs(javaHashCode(groupId)) % partitions as Kafka places them. The topic is created
/// through the controller on first use; appends are fsynced before the returned task completes.
/// </summary>
internal sealed class OffsetsTopicStore : IGroupStore
{
    public const string TopicName = "__consumer_offsets";

    private readonly MetadataController _controller;
    private readonly PartitionManager _partitions;
    private readonly TimeProvider _time;
    private readonly int _configuredPartitions;
    private readonly Lock _createLock = new();

    public OffsetsTopicStore(MetadataController controller, PartitionManager partitions, TimeProvider time, int configuredPartitions)
    {
        _controller = controller;
        _partitions = partitions;
        _time = time;
        _configuredPartitions = configuredPartitions;
    }

    /// <summary>The topic's real partition count once it exists (a changed setting must not move groups), else the setting.</summary>
    public int PartitionCount => _controller.Image.TryGetTopic(TopicName, out var topic) ? topic.Partitions.Length : _configuredPartitions;

    /// <summary>Java's String.hashCode over UTF-16 code units, as Kafka computes it.</summary>
    public static int JavaHashCode(string s)
    {
        int h = 0;
        foreach (char c in s)
        {
            h = unchecked((31 * h) + c);
        }

        return h;
    }

    /// <summary>Kafka's Utils.abs(groupId.hashCode) % n (abs of int.MinValue is 0).</summary>
    public static int PartitionFor(string groupId, int partitions)
    {
        int hash = JavaHashCode(groupId);
        int abs = hash == int.MinValue ? 0 : Math.Abs(hash);
        return abs % partitions;
    }

    public Task<ErrorCode> AppendAsync(string groupId, IReadOnlyList<GroupStoreRecord> records)
    {
        if (!EnsureTopic())
        {
            return Task.FromResult(ErrorCode.CoordinatorNotAvailable);
        }

        int partition = PartitionFor(groupId, PartitionCount);
        if (!_partitions.TryGet(TopicName, partition, out var state))
        {
            return Task.FromResult(ErrorCode.CoordinatorNotAvailable);
        }

        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using var builder = new RecordBatchBuilder();
        foreach (var record in records)
        {
            builder.Append(now, record.Key, record.Value);
        }

        byte[] batch = builder.Build();
        var result = state.Log.Append(batch, state.LeaderEpoch);
        if (!result.IsSuccess)
        {
            return Task.FromResult(ErrorCode.CoordinatorNotAvailable);
        }

        state.Log.UpdateHighWatermark(result.EndOffset);
        return WaitDurableAsync(state.Log, result.EndOffset);
    }

    private static async Task<ErrorCode> WaitDurableAsync(PartitionLog log, long endOffset)
    {
        try
        {
            await log.WaitForDurableAsync(endOffset).ConfigureAwait(false);
            return ErrorCode.None;
        }
        catch (IOException)
        {
            // Not durable: the commit must not be acknowledged. Retriable for the client.
            return ErrorCode.CoordinatorNotAvailable;
        }
    }

    public IEnumerable<GroupStoreRecord> ReadAll()
    {
        if (!_controller.Image.TryGetTopic(TopicName, out var topic))
        {
            yield break;
        }

        for (int p = 0; p < topic.Partitions.Length; p++)
        {
            if (!_partitions.TryGet(TopicName, p, out var state))
            {
                continue;
            }

            foreach (var record in ReadPartition(state.Log))
            {
                yield return record;
            }
        }
    }

    private static List<GroupStoreRecord> ReadPartition(PartitionLog log)
    {
        var records = new List<GroupStoreRecord>();
        byte[] buffer = new byte[1 << 20];
        using var scratch = new PooledBufferWriter();
        long offset = log.LogStartOffset;
        long end = log.LogEndOffset;
        while (offset < end)
        {
            int read = log.ReadInto(offset, buffer, end);
            if (read < 0)
            {
                break;
            }

            if (read < RecordBatchLayout.HeaderSize)
            {
                // The next batch is larger than the buffer: grow and retry.
                buffer = new byte[buffer.Length * 2];
                continue;
            }

            long next = offset;
            int position = 0;
            while (position + RecordBatchLayout.HeaderSize <= read)
            {
                var span = buffer.AsSpan(position, read - position);
                int size = RecordBatchHeader.PeekSizeInBytes(span);
                if (size > span.Length)
                {
                    break;
                }

                var reader = new RecordBatchReader(span[..size], scratch, int.MaxValue);
                if (!reader.Header.IsControl)
                {
                    foreach (var record in reader.GetRecords())
                    {
                        if (record.Offset >= offset && !record.IsKeyNull)
                        {
                            records.Add(new GroupStoreRecord(record.Key.ToArray(), record.IsValueNull ? null : record.Value.ToArray()));
                        }
                    }
                }

                next = reader.Header.LastOffset + 1;
                position += size;
            }

            if (next == offset)
            {
                buffer = new byte[buffer.Length * 2];
                continue;
            }

            offset = next;
        }

        return records;
    }

    private bool EnsureTopic()
    {
        if (_controller.Image.TryGetTopic(TopicName, out _))
        {
            return true;
        }

        lock (_createLock)
        {
            if (_controller.Image.TryGetTopic(TopicName, out _))
            {
                return true;
            }

            var created = _controller.CreateTopic(TopicName, _configuredPartitions, 1, new Dictionary<string, string?> { ["cleanup.policy"] = "compact" }, validateOnly: false);
            return created.IsOk || _controller.Image.TryGetTopic(TopicName, out _);
        }
    }
}
