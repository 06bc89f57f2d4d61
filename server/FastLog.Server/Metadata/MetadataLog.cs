using FastLog.Engine.Log;
using FastLog.Format;

namespace FastLog.Server.Metadata;

/// <summary>
/// The <c>__cluster_metadata</c> log on top of the storage engine: each committed change is one
/// record batch whose records' values are serialized <see cref="MetadataRecord"/>s, so a change is
/// atomic (a torn batch is cut by recovery as a whole). A commit is fsynced before it counts.
/// It is never subject to retention (no metadata snapshots yet).
/// </summary>
public sealed class MetadataLog
{
    public static readonly TopicPartition TopicPartition = new("__cluster_metadata", 0);

    /// <summary>Metadata is kept forever: every record is needed to replay the image.</summary>
    public static LogConfig Config { get; } = new() { RetentionMs = -1, RetentionBytes = -1, SegmentBytes = 64 * 1024 * 1024, SegmentMs = long.MaxValue / 4 };

    private readonly PartitionLog _log;
    private readonly TimeProvider _time;

    public MetadataLog(LogManager logs, TimeProvider time)
    {
        _log = logs.GetOrCreateLog(TopicPartition, Config);
        _log.Config = Config;
        _time = time;
    }

    public long EndOffset => _log.LogEndOffset;

    /// <summary>Every record in the log, in order.</summary>
    public List<MetadataRecord> ReadAll()
    {
        var records = new List<MetadataRecord>();
        var buffer = new PooledBufferWriter();
        long offset = _log.LogStartOffset;
        while (offset < _log.LogEndOffset)
        {
            var slice = _log.Read(offset, 1024 * 1024, long.MaxValue).Slice;
            if (slice.IsEmpty)
            {
                break;
            }

            var bytes = slice.ToArray();
            var remaining = bytes.AsSpan();
            while (RecordBatchHeader.PeekSizeInBytes(remaining) is int size && size >= RecordBatchLayout.HeaderSize && size <= remaining.Length)
            {
                var reader = new RecordBatchReader(remaining[..size], buffer, int.MaxValue);
                foreach (var record in reader.GetRecords())
                {
                    records.Add(MetadataRecordSerde.Deserialize(record.Value));
                }

                offset = reader.Header.LastOffset + 1;
                remaining = remaining[size..];
            }
        }

        buffer.Dispose();
        return records;
    }

    /// <summary>Appends the records as one batch and fsyncs it.</summary>
    public void Commit(IReadOnlyList<MetadataRecord> records)
    {
        using var builder = new RecordBatchBuilder();
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var record in records)
        {
            builder.Append(now, key: null, value: MetadataRecordSerde.Serialize(record));
        }

        byte[] batch = builder.Build();
        var result = _log.Append(batch, leaderEpoch: 0);
        if (!result.IsSuccess)
        {
            throw new IOException($"metadata log append failed: {result.Status} {result.BatchError}");
        }

        _log.Flush();
        _log.UpdateHighWatermark(_log.LogEndOffset);
    }
}
