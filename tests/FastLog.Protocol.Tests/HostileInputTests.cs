using System.Buffers;
using FastLog.Protocol.Messages;

namespace FastLog.Protocol.Tests;

/// <summary>
/// Malformed input must end in <see cref="ProtocolException"/>, never another exception type, and must be
/// rejected before allocating anything sized by the attacker's numbers.
/// </summary>
public sealed class HostileInputTests
{
    // Generous: covers the exception object and its message, far below what an int.MaxValue-sized list would take.
    private const long AllocationBudgetBytes = 64 * 1024;

    [Theory]
    [InlineData("ff fe")]          // int16 length -2
    [InlineData("80 00")]          // int16 length -32768
    [InlineData("00 05 61 62")]    // length past the end
    public void Bad_classic_string_lengths_throw(string hex)
    {
        var ex = Assert.Throws<ProtocolException>(() => ReadString(hex, flexible: false));
        Assert.Equal(ErrorCode.InvalidRequest, ex.ErrorCode);
    }

    [Theory]
    [InlineData("ff ff 03")]           // compact length 65534: above the 32767 string limit
    [InlineData("05 61")]              // 4 bytes promised, 1 present
    [InlineData("80 80 80 80 80 01")]  // 6-byte varint
    [InlineData("ff ff ff ff 1f")]     // 5th byte above 0x0f: value does not fit 32 bits
    [InlineData("80")]                 // varint cut short
    public void Bad_compact_string_lengths_throw(string hex) =>
        Assert.Throws<ProtocolException>(() => ReadString(hex, flexible: true));

    [Theory]
    [InlineData("7f ff ff ff", false)]      // int.MaxValue elements
    [InlineData("ff ff ff fe", false)]      // -2
    [InlineData("80 00 00 00", false)]      // int.MinValue
    [InlineData("ff ff ff ff 0f", true)]    // compact uint.MaxValue - 1 elements
    [InlineData("80 80 80 80 08", true)]    // compact 2^31
    public void Absurd_array_counts_throw_without_allocating(string hex, bool flexible)
    {
        byte[] bytes = Codec.Hex(hex + " 00 00 00 00 00 00");
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes);
            reader.ReadArrayCount(flexible, minElementBytes: 1);
        });
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, AllocationBudgetBytes);
    }

    [Fact]
    public void Absurd_topic_count_in_a_metadata_request_throws_before_allocating_the_list()
    {
        byte[] bytes = Codec.Hex("7f ff ff ff 00 00 00 00");
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.Metadata, true, 1, bytes));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, AllocationBudgetBytes);
    }

    [Fact]
    public void Array_count_is_checked_against_the_minimum_element_size()
    {
        // Produce v3 topic entries need at least 2 (name) + 4 (partition count) bytes each: 3 cannot fit in 12.
        byte[] bytes = Codec.Hex("ff ff 00 01 00 00 00 01 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00");
        var ex = Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.Produce, true, 3, bytes));
        Assert.Contains("Array count 3", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ff ff ff fe", false)]      // -2
    [InlineData("00 00 10 00 01", false)]   // 4096 bytes promised
    [InlineData("ff ff ff ff 0f", true)]
    public void Bad_records_lengths_throw(string hex, bool flexible) =>
        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(Codec.Hex(hex));
            reader.ReadRecords(flexible);
        });

    [Fact]
    public void Every_truncation_of_every_sample_throws_protocol_exception()
    {
        foreach (SampleCase sample in SampleMessages.All())
        {
            byte[] full = Codec.Encode(sample.Create(new SampleValues(false)), sample.Version);
            for (int length = 0; length < full.Length; length++)
            {
                byte[] cut = full[..length];
                Assert.Throws<ProtocolException>(() => Codec.Decode(sample.Api, sample.IsRequest, sample.Version, cut));
            }
        }
    }

    [Fact]
    public void Random_corruption_decodes_or_throws_protocol_exception_only()
    {
        var random = new Random(12345);
        foreach (SampleCase sample in SampleMessages.All())
        {
            byte[] full = Codec.Encode(sample.Create(new SampleValues(false)), sample.Version);
            if (full.Length == 0)
            {
                continue;
            }

            for (int trial = 0; trial < 20; trial++)
            {
                byte[] damaged = (byte[])full.Clone();
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                {
                    damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
                }

                try
                {
                    var reader = new KafkaReader(damaged.AsMemory());
                    _ = sample.IsRequest
                        ? KafkaApis.ReadRequest(sample.Api, sample.Version, ref reader)
                        : KafkaApis.ReadResponse(sample.Api, sample.Version, ref reader);
                }
                catch (ProtocolException)
                {
                }
            }
        }
    }

    [Fact]
    public void Tagged_fields_out_of_order_or_oversized_throw()
    {
        // ApiVersionsRequest v3 body with tags 5 then 3.
        Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.ApiVersions, true, 3, Codec.Hex("01 01 02 05 00 03 00")));
        // Duplicate tag.
        Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.ApiVersions, true, 3, Codec.Hex("01 01 02 05 00 05 00")));
        // Tag size past the end.
        Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.ApiVersions, true, 3, Codec.Hex("01 01 01 05 09 00")));
        // Absurd tag count.
        Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.ApiVersions, true, 3, Codec.Hex("01 01 ff ff ff ff 0f")));
        // Known tag (ApiVersionsResponse tag 1, int64) with a declared size larger than the field.
        Assert.Throws<ProtocolException>(() => Codec.Decode(
            ApiKey.ApiVersions, false, 3, Codec.Hex("00 00 01 00 00 00 00 01 01 09 00 00 00 00 00 00 00 2a 00")));
    }

    [Fact]
    public void Unsupported_versions_and_unknown_apis_throw_with_unsupported_version()
    {
        var ex = Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.Fetch, true, 3, [0, 0, 0, 0]));
        Assert.Equal(ErrorCode.UnsupportedVersion, ex.ErrorCode);
        ex = Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.ApiVersions, true, 5, []));
        Assert.Equal(ErrorCode.UnsupportedVersion, ex.ErrorCode);
        ex = Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.SaslHandshake, true, 0, []));
        Assert.Equal(ErrorCode.UnsupportedVersion, ex.ErrorCode);
    }

    [Fact]
    public void Null_in_a_non_nullable_version_throws()
    {
        // Metadata v0 topics cannot be null.
        Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.Metadata, true, 0, Codec.Hex("ff ff ff ff")));
        // ApiVersionsRequest v3 software name cannot be null (compact 0).
        Assert.Throws<ProtocolException>(() => Codec.Decode(ApiKey.ApiVersions, true, 3, Codec.Hex("00 01 00")));
    }

    [Theory]
    [InlineData("ff ff ff ff")]
    [InlineData("7f ff ff ff")]
    [InlineData("00 10 00 01")]
    public void Frames_with_negative_or_oversized_lengths_throw(string hex)
    {
        var sequence = new ReadOnlySequence<byte>(Codec.Hex(hex));
        Assert.Throws<ProtocolException>(() => KafkaFrame.TryReadFrame(ref sequence, 1 << 20, out _));
    }

    [Fact]
    public void Incomplete_frames_ask_for_more_bytes()
    {
        var sequence = new ReadOnlySequence<byte>(Codec.Hex("00 00"));
        Assert.False(KafkaFrame.TryReadFrame(ref sequence, 1 << 20, out _));
        sequence = new ReadOnlySequence<byte>(Codec.Hex("00 00 00 05 01 02"));
        Assert.False(KafkaFrame.TryReadFrame(ref sequence, 1 << 20, out _));
        Assert.Equal(6, sequence.Length);
    }

    private static string? ReadString(string hex, bool flexible)
    {
        var reader = new KafkaReader(Codec.Hex(hex));
        return reader.ReadNullableString(flexible);
    }
}
