using System.Text;

namespace FastLog.Format.Tests;

/// <summary>A record as the tests expect to read it back.</summary>
internal sealed record ExpectedRecord(long TimestampMs, byte[]? Key, byte[]? Value, RecordHeader[] Headers);

internal static class TestBytes
{
    /// <summary>Hex with optional whitespace to bytes.</summary>
    public static byte[] FromHex(string hex)
    {
        var compact = new StringBuilder(hex.Length);
        foreach (char c in hex)
        {
            if (!char.IsWhiteSpace(c))
            {
                compact.Append(c);
            }
        }

        return Convert.FromHexString(compact.ToString());
    }

    /// <summary>Reads every record of a whole batch and checks it against <paramref name="expected"/>.</summary>
    public static void AssertRecords(byte[] batch, IReadOnlyList<ExpectedRecord> expected, long baseOffset = 0)
    {
        using var scratch = new PooledBufferWriter();
        var reader = new RecordBatchReader(batch, scratch, 64 * 1024 * 1024);
        Assert.Equal(expected.Count, reader.Header.RecordsCount);
        Assert.Equal(expected.Count - 1, reader.Header.LastOffsetDelta);
        Assert.Equal(expected[0].TimestampMs, reader.Header.BaseTimestamp);
        Assert.Equal(expected.Max(r => r.TimestampMs), reader.Header.MaxTimestamp);
        int i = 0;
        foreach (var record in reader.GetRecords())
        {
            var want = expected[i];
            Assert.Equal(i, record.OffsetDelta);
            Assert.Equal(baseOffset + i, record.Offset);
            Assert.Equal(want.TimestampMs, record.Timestamp);
            Assert.Equal(want.TimestampMs - expected[0].TimestampMs, record.TimestampDelta);
            Assert.Equal(0, record.Attributes);
            AssertNullable(want.Key, record.Key, record.IsKeyNull);
            AssertNullable(want.Value, record.Value, record.IsValueNull);
            Assert.Equal(want.Headers.Length, record.HeaderCount);
            int h = 0;
            foreach (var header in record.Headers)
            {
                Assert.Equal(want.Headers[h].Key, header.GetKeyString());
                AssertNullable(want.Headers[h].Value, header.Value, header.IsValueNull);
                h++;
            }

            Assert.Equal(want.Headers.Length, h);
            i++;
        }

        Assert.Equal(expected.Count, i);
    }

    public static byte[] Build(CompressionCodec codec, IEnumerable<ExpectedRecord> records)
    {
        using var builder = new RecordBatchBuilder { Compression = codec };
        foreach (var r in records)
        {
            builder.Append(r.TimestampMs, r.Key, r.Value, r.Headers);
        }

        return builder.Build();
    }

    private static void AssertNullable(byte[]? expected, ReadOnlySpan<byte> actual, bool actualIsNull)
    {
        Assert.Equal(expected is null, actualIsNull);
        Assert.Equal(expected ?? [], actual.ToArray());
    }
}
