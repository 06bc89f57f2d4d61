using System.Buffers.Binary;
using FastLog.Format;

namespace FastLog.Bench.Engine;

/// <summary>Page cache only (one appender, no durability waits) or group commit with N appenders.</summary>
internal enum Mode
{
    PageCache,
    GroupCommit,
}

/// <summary>One row of the matrix: record size, batch size, mode and appender count.</summary>
internal sealed record Row(int RecordBytes, int BatchBytes, Mode Mode, int Appenders)
{
    public string Name => $"{Size(RecordBytes)} rec / {Size(BatchBytes)} batch / {ModeName}";

    public string ModeName => Mode == Mode.PageCache ? "page cache" : $"group commit x{Appenders}";

    /// <summary>A compact id for --rows filters, e.g. "100B-16KiB-gc4".</summary>
    public string Id => $"{Size(RecordBytes)}-{Size(BatchBytes)}-{(Mode == Mode.PageCache ? "pc" : $"gc{Appenders}")}";

    public static IReadOnlyList<Row> Matrix()
    {
        var rows = new List<Row>();
        foreach (int record in new[] { 100, 1024 })
        {
            foreach (int batch in new[] { 16 * 1024, 1024 * 1024 })
            {
                rows.Add(new Row(record, batch, Mode.PageCache, 1));
                foreach (int appenders in new[] { 1, 4, 16 })
                {
                    rows.Add(new Row(record, batch, Mode.GroupCommit, appenders));
                }
            }
        }

        return rows;
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)}MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024}KiB",
        _ => $"{bytes}B",
    };
}

/// <summary>One RecordBatch v2 of uncompressed records with random values, as large as fits the batch size.</summary>
internal sealed class BatchTemplate
{
    private BatchTemplate(byte[] bytes, int records)
    {
        Bytes = bytes;
        Records = records;
    }

    /// <summary>The batch as built (offsets zero; the log stamps its own copy).</summary>
    public byte[] Bytes { get; }

    public int Records { get; }

    /// <summary>Builds the largest batch of <paramref name="recordBytes"/>-byte values (null keys) not over <paramref name="batchBytes"/>.</summary>
    public static BatchTemplate Create(int recordBytes, int batchBytes)
    {
        var value = new byte[recordBytes];
        new Random(42).NextBytes(value);
        long timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        int one = Build(value, timestamp, 1).Length;
        int two = Build(value, timestamp, 2).Length;
        int perRecord = two - one;
        int count = Math.Max(1, 1 + ((batchBytes - one) / perRecord));
        byte[] bytes = Build(value, timestamp, count);
        while (bytes.Length > batchBytes && count > 1)
        {
            // Offset and timestamp deltas grow as varints: shed the overshoot and rebuild.
            int over = bytes.Length - batchBytes;
            count -= Math.Max(1, (over + perRecord - 1) / perRecord);
            count = Math.Max(1, count);
            bytes = Build(value, timestamp, count);
        }

        return new BatchTemplate(bytes, count);
    }

    /// <summary>A private copy for one appender (appends stamp offsets in place).</summary>
    public byte[] Copy() => (byte[])Bytes.Clone();

    private static byte[] Build(byte[] value, long timestamp, int count)
    {
        using var builder = new RecordBatchBuilder();
        for (int i = 0; i < count; i++)
        {
            builder.Append(timestamp, null, value);
        }

        return builder.Build();
    }
}

/// <summary>Walks whole record batches in a buffer (read-back accounting and checks).</summary>
internal static class BatchWalker
{
    private const int LogOverhead = 12;
    private const int LastOffsetDeltaOffset = 23;
    private const int MinHeader = 61;

    /// <summary>
    /// Counts the whole batches at the start of <paramref name="buffer"/>: bytes and records they hold
    /// and the offset after the last one. A truncated tail batch is not counted.
    /// </summary>
    public static (int Bytes, long Records, long NextOffset) Walk(ReadOnlySpan<byte> buffer, long nextOffset)
    {
        int position = 0;
        long records = 0;
        while (buffer.Length - position >= MinHeader)
        {
            var batch = buffer[position..];
            int size = LogOverhead + BinaryPrimitives.ReadInt32BigEndian(batch[8..]);
            if (size > batch.Length)
            {
                break;
            }

            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
            int lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(batch[LastOffsetDeltaOffset..]);
            records += lastOffsetDelta + 1;
            nextOffset = baseOffset + lastOffsetDelta + 1;
            position += size;
        }

        return (position, records, nextOffset);
    }
}
