using System.Text;
using FastLog.Engine.Log;
using FastLog.Format;

namespace FastLog.Engine.Tests.Cleaning;

/// <summary>Keyed writes and whole-log reads for compaction tests.</summary>
internal static class KeyedLog
{
    public static byte[] Batch(long timestampMs, params (string Key, string? Value)[] records) => Batch(timestampMs, CompressionCodec.None, -1, records);

    public static byte[] Batch(long timestampMs, CompressionCodec codec, long producerId, params (string Key, string? Value)[] records) =>
        Batch(timestampMs, codec, producerId, baseSequence: -1, records);

    public static byte[] Batch(long timestampMs, CompressionCodec codec, long producerId, int baseSequence, params (string Key, string? Value)[] records)
    {
        using var builder = new RecordBatchBuilder { Compression = codec, ProducerId = producerId, ProducerEpoch = (short)(producerId >= 0 ? 0 : -1), BaseSequence = baseSequence };
        for (int i = 0; i < records.Length; i++)
        {
            builder.Append(timestampMs + i, Encoding.UTF8.GetBytes(records[i].Key), records[i].Value is null ? null : Encoding.UTF8.GetBytes(records[i].Value!));
        }

        return builder.Build();
    }

    /// <summary>Appends and moves the high watermark to the end (no replication here).</summary>
    public static void Append(PartitionLog log, byte[] batch)
    {
        var result = log.Append(batch, leaderEpoch: 0);
        Assert.True(result.IsSuccess, result.Status.ToString());
        log.UpdateHighWatermark(log.LogEndOffset);
    }

    /// <summary>Every record from the log start, through Read, as a consumer would fetch them.</summary>
    public static List<Rec> ReadAll(PartitionLog log)
    {
        var records = new List<Rec>();
        long offset = log.LogStartOffset;
        var scratch = new PooledBufferWriter();
        var buffer = new byte[1 << 20];
        while (offset < log.LogEndOffset)
        {
            var result = log.Read(offset, buffer.Length, long.MaxValue);
            Assert.Equal(ReadStatus.Success, result.Status);
            if (result.Slice.IsEmpty)
            {
                break;
            }

            int length = result.Slice.CopyTo(buffer);
            var bytes = buffer.AsSpan(0, length);
            while (bytes.Length >= RecordBatchLayout.HeaderSize)
            {
                int size = RecordBatchHeader.PeekSizeInBytes(bytes);
                if (size > bytes.Length)
                {
                    break;
                }

                var reader = new RecordBatchReader(bytes[..size], scratch, int.MaxValue);
                Assert.Equal(RecordBatchHeader.ComputeCrc(bytes[..size]), reader.Header.Crc);
                var iterator = reader.GetRecords();
                while (iterator.MoveNext())
                {
                    var r = iterator.Current;
                    if (r.Offset >= offset)
                    {
                        records.Add(new Rec(
                            r.Offset,
                            r.IsKeyNull ? null : Encoding.UTF8.GetString(r.Key),
                            r.IsValueNull ? null : Encoding.UTF8.GetString(r.Value),
                            r.Timestamp));
                    }
                }

                offset = Math.Max(offset, reader.Header.LastOffset + 1);
                bytes = bytes[size..];
            }
        }

        scratch.Dispose();
        for (int i = 1; i < records.Count; i++)
        {
            Assert.True(records[i].Offset > records[i - 1].Offset, $"offsets must increase: {records[i - 1].Offset} then {records[i].Offset}");
        }

        return records;
    }

    /// <summary>The latest value of every key (null for a tombstone) in a record list.</summary>
    public static Dictionary<string, string?> Latest(IEnumerable<Rec> records)
    {
        var latest = new Dictionary<string, string?>();
        foreach (var r in records)
        {
            if (r.Key is not null)
            {
                latest[r.Key] = r.Value;
            }
        }

        return latest;
    }

    public readonly record struct Rec(long Offset, string? Key, string? Value, long Timestamp);
}
