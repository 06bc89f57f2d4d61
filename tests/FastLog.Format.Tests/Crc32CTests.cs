namespace FastLog.Format.Tests;

public class Crc32CTests
{
    [Fact]
    public void Check_value_of_123456789() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void Empty_input_is_zero() =>
        Assert.Equal(0u, Crc32C.Compute([]));

    [Fact]
    public void Worked_example_crc_matches_its_header()
    {
        var batch = TestBytes.FromHex(WorkedExample.Hex);
        Assert.Equal(0x675A95FDu, RecordBatchHeader.ComputeCrc(batch));
        Assert.Equal(0x675A95FDu, new RecordBatchHeader(batch).Crc);
    }
}
