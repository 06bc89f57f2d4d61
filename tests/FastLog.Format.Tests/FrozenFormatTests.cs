namespace FastLog.Format.Tests;

/// <summary>
/// These numbers are written to disk and on the wire. If a test here fails, do not "fix" the
/// test: the change breaks every stored log - bump the format version and migrate instead.
/// </summary>
public class FrozenFormatTests
{
    private const string Why = "persisted value changed: bump the format version and migrate stored logs instead of renumbering";

    [Fact]
    public void Compression_codec_ids_are_frozen()
    {
        var expected = new Dictionary<string, int> { ["None"] = 0, ["Gzip"] = 1, ["Snappy"] = 2, ["Lz4"] = 3, ["Zstd"] = 4 };
        var actual = Enum.GetValues<CompressionCodec>().ToDictionary(c => c.ToString(), c => (int)c);
        Assert.True(expected.OrderBy(p => p.Key).SequenceEqual(actual.OrderBy(p => p.Key)), Why);
    }

    [Fact]
    public void Batch_attribute_bits_are_frozen()
    {
        var expected = new Dictionary<string, int>
        {
            ["None"] = 0, ["CompressionMask"] = 0x07, ["LogAppendTime"] = 0x08, ["Transactional"] = 0x10,
            ["Control"] = 0x20, ["DeleteHorizon"] = 0x40,
        };
        var actual = Enum.GetValues<BatchAttributes>().ToDictionary(c => c.ToString(), c => (int)c);
        Assert.True(expected.OrderBy(p => p.Key).SequenceEqual(actual.OrderBy(p => p.Key)), Why);
    }

    [Fact]
    public void Header_layout_is_frozen()
    {
        int[] offsets =
        [
            RecordBatchLayout.BaseOffsetOffset, RecordBatchLayout.BatchLengthOffset, RecordBatchLayout.PartitionLeaderEpochOffset,
            RecordBatchLayout.MagicOffset, RecordBatchLayout.CrcOffset, RecordBatchLayout.AttributesOffset,
            RecordBatchLayout.LastOffsetDeltaOffset, RecordBatchLayout.BaseTimestampOffset, RecordBatchLayout.MaxTimestampOffset,
            RecordBatchLayout.ProducerIdOffset, RecordBatchLayout.ProducerEpochOffset, RecordBatchLayout.BaseSequenceOffset,
            RecordBatchLayout.RecordsCountOffset, RecordBatchLayout.RecordsOffset,
        ];
        Assert.True(offsets.SequenceEqual([0, 8, 12, 16, 17, 21, 23, 27, 35, 43, 51, 53, 57, 61]), Why);
    }
}
