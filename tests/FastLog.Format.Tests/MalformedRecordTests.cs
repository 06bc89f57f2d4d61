namespace FastLog.Format.Tests;

/// <summary>Hostile record bytes must end in InvalidRecordBatchException(InvalidRecord), never an index exception.</summary>
public class MalformedRecordTests
{
    // Body of the worked example's record, after the length prefix:
    // attributes, tsDelta, offsetDelta, key "k", value "v", 1 header h=1.
    private const string GoodBody = "00 00 00 026b 0276 02 0268 0231";

    private static void AssertInvalid(string recordsHex, int declaredCount = 1)
    {
        var bytes = TestBytes.FromHex(recordsHex);
        var ex = Assert.Throws<InvalidRecordBatchException>(() =>
        {
            var reader = new RecordReader(bytes, declaredCount);
            while (reader.MoveNext())
            {
                foreach (var header in reader.Current.Headers)
                {
                    _ = header.Value.Length;
                }
            }
        });
        Assert.Equal(RecordBatchError.InvalidRecord, ex.Error);
        Assert.Equal(87, ex.KafkaErrorCode);
    }

    [Fact]
    public void Good_record_reads()
    {
        var reader = new RecordReader(TestBytes.FromHex("18" + GoodBody), 1);
        Assert.True(reader.MoveNext());
        Assert.Equal("k"u8.ToArray(), reader.Current.Key.ToArray());
        Assert.False(reader.MoveNext());
    }

    [Theory]
    [InlineData("")] // no record at all though one is declared
    [InlineData("80")] // truncated length varint
    [InlineData("ffffffffff0f")] // overlong length varint
    [InlineData("01")] // negative record length (-1)
    [InlineData("0a 00 00 00 00 00 00")] // record length 5: below the minimum
    [InlineData("1a" + GoodBody)] // record length 13: past the end
    [InlineData("16" + GoodBody)] // record length 11: shorter than its fields
    [InlineData("1a" + GoodBody + "00")] // record length 13: one byte more than its fields
    [InlineData("18 00 80 80 80 80 80 80 80 80 80 80 80")] // overlong timestampDelta
    [InlineData("18 00 00 00 03 6b 0276 02 0268 0231")] // key length -2
    [InlineData("18 00 00 00 1e 6b 0276 02 0268 0231")] // key length 15 past the end
    [InlineData("18 00 00 00 026b 05 76 02 0268 0231")] // value length -3
    [InlineData("18 00 00 00 026b 0276 01 0268 0231")] // header count -1
    [InlineData("18 00 00 00 026b 0276 fe ff ff ff 0f 00")] // header count int.MaxValue
    [InlineData("18 00 00 00 026b 0276 04 0268 0231")] // header count 2 with one header's bytes
    [InlineData("18 00 00 00 026b 0276 02 01 68 0231")] // null header key
    [InlineData("18 00 00 00 026b 0276 02 03 68 0231")] // negative header key length
    [InlineData("18 00 00 00 026b 0276 02 0268 0831")] // header value past the end
    public void Malformed_record_is_invalid_record(string hex) => AssertInvalid(hex);

    [Fact]
    public void Bytes_after_the_declared_records_are_refused() =>
        AssertInvalid("18" + GoodBody + "18" + GoodBody);

    [Fact]
    public void Fewer_records_than_declared_are_refused() =>
        AssertInvalid("18" + GoodBody, declaredCount: 2);

    [Fact]
    public void Null_key_null_value_and_null_header_value_are_distinct_from_empty()
    {
        // key null, value empty, headers: "a" -> null, "b" -> empty
        var body = TestBytes.FromHex("00 00 00 01 00 04 0261 01 0262 00");
        var bytes = new byte[body.Length + 1];
        bytes[0] = (byte)(body.Length * 2);
        body.CopyTo(bytes, 1);
        var reader = new RecordReader(bytes, 1);
        Assert.True(reader.MoveNext());
        var record = reader.Current;
        Assert.True(record.IsKeyNull);
        Assert.False(record.IsValueNull);
        Assert.Equal(0, record.Value.Length);
        var headers = record.Headers;
        Assert.True(headers.MoveNext());
        Assert.True(headers.Current.IsValueNull);
        Assert.True(headers.MoveNext());
        Assert.False(headers.Current.IsValueNull);
        Assert.Equal(0, headers.Current.Value.Length);
        Assert.False(headers.MoveNext());
    }

    [Fact]
    public void Random_garbage_never_escapes_as_another_exception()
    {
        var random = new Random(42);
        var good = TestBytes.FromHex(GoldenBatches.None)[RecordBatchLayout.RecordsOffset..];
        for (int i = 0; i < 5000; i++)
        {
            var bytes = (byte[])good.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var cut = bytes.AsSpan(0, random.Next(bytes.Length + 1)).ToArray();
            try
            {
                var reader = new RecordReader(cut, 5);
                while (reader.MoveNext())
                {
                    foreach (var header in reader.Current.Headers)
                    {
                        _ = header.Key.Length;
                    }
                }
            }
            catch (InvalidRecordBatchException ex)
            {
                Assert.Equal(RecordBatchError.InvalidRecord, ex.Error);
            }
        }
    }
}
