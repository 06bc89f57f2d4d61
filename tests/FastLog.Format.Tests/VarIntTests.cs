namespace FastLog.Format.Tests;

public class VarIntTests
{
    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(-2, "03")]
    [InlineData(63, "7e")]
    [InlineData(-64, "7f")]
    [InlineData(64, "8001")]
    [InlineData(300, "d804")]
    [InlineData(-300, "d704")]
    [InlineData(int.MaxValue, "feffffff0f")]
    [InlineData(int.MinValue, "ffffffff0f")]
    public void Zigzag_varint_matches_kafka(int value, string hex)
    {
        var expected = Convert.FromHexString(hex);
        Span<byte> buffer = stackalloc byte[VarInt.MaxVarIntBytes];
        int written = VarInt.WriteVarInt(buffer, value);
        Assert.Equal(expected, buffer[..written].ToArray());
        Assert.Equal(expected.Length, VarInt.SizeOfVarInt(value));
        Assert.True(VarInt.TryReadVarInt(expected, out int read, out int consumed));
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, consumed);

        // The same value as a varlong has the same encoding.
        Assert.True(VarInt.TryReadVarLong(expected, out long readLong, out consumed));
        Assert.Equal(value, readLong);
        Assert.Equal(expected.Length, consumed);
    }

    [Theory]
    [InlineData(long.MaxValue, "feffffffffffffffff01")]
    [InlineData(long.MinValue, "ffffffffffffffffff01")]
    [InlineData(1700000000000L, "80a0abfef962")]
    public void Zigzag_varlong_extremes(long value, string hex)
    {
        var expected = Convert.FromHexString(hex);
        Span<byte> buffer = stackalloc byte[VarInt.MaxVarLongBytes];
        int written = VarInt.WriteVarLong(buffer, value);
        Assert.Equal(expected, buffer[..written].ToArray());
        Assert.Equal(expected.Length, VarInt.SizeOfVarLong(value));
        Assert.True(VarInt.TryReadVarLong(expected, out long read, out int consumed));
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, consumed);
    }

    [Theory]
    [InlineData(0u, "00")]
    [InlineData(1u, "01")]
    [InlineData(127u, "7f")]
    [InlineData(128u, "8001")]
    [InlineData(300u, "ac02")]
    [InlineData(16384u, "808001")]
    [InlineData(uint.MaxValue, "ffffffff0f")]
    public void Unsigned_varint_matches_kafka(uint value, string hex)
    {
        var expected = Convert.FromHexString(hex);
        Span<byte> buffer = stackalloc byte[VarInt.MaxVarIntBytes];
        int written = VarInt.WriteUnsignedVarInt(buffer, value);
        Assert.Equal(expected, buffer[..written].ToArray());
        Assert.Equal(expected.Length, VarInt.SizeOfUnsignedVarInt(value));
        Assert.True(VarInt.TryReadUnsignedVarInt(expected, out uint read, out int consumed));
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, consumed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("ff")]
    [InlineData("8080")]
    [InlineData("ffffffff")]
    public void Truncated_input_is_refused(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.False(VarInt.TryReadVarInt(bytes, out _, out int consumed));
        Assert.Equal(0, consumed);
        Assert.False(VarInt.TryReadUnsignedVarInt(bytes, out _, out _));
        Assert.False(VarInt.TryReadVarLong(bytes, out _, out _));
        var ex = Assert.Throws<InvalidRecordBatchException>(() => VarInt.ReadVarInt(bytes, out _));
        Assert.Equal(RecordBatchError.InvalidRecord, ex.Error);
    }

    [Theory]
    [InlineData("ffffffff10")] // fifth byte carries bits beyond 32
    [InlineData("ffffffff8f00")] // continuation on the fifth byte: six bytes
    [InlineData("808080808000")] // overlong zero
    public void Overlong_32bit_input_is_refused(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.False(VarInt.TryReadVarInt(bytes, out _, out _));
        Assert.False(VarInt.TryReadUnsignedVarInt(bytes, out _, out _));
        Assert.Throws<InvalidRecordBatchException>(() => VarInt.ReadUnsignedVarInt(bytes, out _));
    }

    [Theory]
    [InlineData("ffffffffffffffffff02")] // tenth byte carries bits beyond 64
    [InlineData("ffffffffffffffffff8100")] // eleven bytes
    [InlineData("8080808080808080808000")]
    public void Overlong_64bit_input_is_refused(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.False(VarInt.TryReadVarLong(bytes, out _, out _));
        Assert.Throws<InvalidRecordBatchException>(() => VarInt.ReadVarLong(bytes, out _));
    }

    [Fact]
    public void Reading_stops_at_the_last_byte_and_ignores_what_follows()
    {
        Assert.True(VarInt.TryReadVarInt([0xD8, 0x04, 0xFF, 0xFF], out int value, out int consumed));
        Assert.Equal(300, value);
        Assert.Equal(2, consumed);
    }

    [Fact]
    public void Writing_into_a_too_small_span_throws_argument_exception()
    {
        var buffer = new byte[1];
        Assert.Throws<ArgumentException>(() => VarInt.WriteVarInt(buffer, 300));
    }

    [Fact]
    public void Random_values_round_trip()
    {
        var random = new Random(1234);
        Span<byte> buffer = stackalloc byte[VarInt.MaxVarLongBytes];
        for (int i = 0; i < 10_000; i++)
        {
            long l = random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64);
            int n = VarInt.WriteVarLong(buffer, l);
            Assert.True(VarInt.TryReadVarLong(buffer[..n], out long back, out int consumed));
            Assert.Equal(l, back);
            Assert.Equal(n, consumed);

            int v = (int)l;
            n = VarInt.WriteVarInt(buffer, v);
            Assert.Equal(VarInt.SizeOfVarInt(v), n);
            Assert.True(VarInt.TryReadVarInt(buffer[..n], out int backInt, out _));
            Assert.Equal(v, backInt);
        }
    }
}
