using System.Text;
using FastLog.Client;

namespace FastLog.Client.Tests;

public sealed class Murmur2PartitionerTests
{
    // Apache Kafka UtilsTest.testMurmur2: input bytes -> Java's signed int result.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    public void Murmur2_matches_the_java_client(string input, int expected) =>
        Assert.Equal(expected, Murmur2Partitioner.Murmur2(Encoding.ASCII.GetBytes(input)));

    [Fact]
    public void Murmur2_of_abc_bytes_matches_the_java_client() =>
        Assert.Equal(479470107, Murmur2Partitioner.Murmur2([(byte)'a', (byte)'b', (byte)'c']));

    [Fact]
    public void Partition_clears_the_sign_bit_then_takes_the_remainder()
    {
        byte[] key = Encoding.ASCII.GetBytes("foobar");
        // -790332482 & 0x7fffffff = 1357151166.
        Assert.Equal(1357151166, Murmur2Partitioner.ToPositive(-790332482));
        Assert.Equal(1357151166 % 50, Murmur2Partitioner.Partition(key, 50));
        Assert.Equal(16, Murmur2Partitioner.Partition(key, 50));
    }

    [Fact]
    public void Partition_is_always_in_range()
    {
        for (int i = 0; i < 1000; i++)
        {
            int partition = Murmur2Partitioner.Partition(Encoding.ASCII.GetBytes("key-" + i), 7);
            Assert.InRange(partition, 0, 6);
        }
    }

    [Fact]
    public void Partition_rejects_zero_partitions() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Murmur2Partitioner.Partition([1, 2], 0));
}

public sealed class StickyPartitionerTests
{
    [Fact]
    public void Stays_on_one_partition_until_a_batch_completes()
    {
        var partitioner = new StickyPartitioner();
        int first = partitioner.Partition("t", 6);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(first, partitioner.Partition("t", 6));
        }

        int next = partitioner.OnNewBatch("t", 6, first);
        Assert.NotEqual(first, next);
        Assert.InRange(next, 0, 5);
        Assert.Equal(next, partitioner.Partition("t", 6));
    }

    [Fact]
    public void A_stale_batch_notice_does_not_switch_again()
    {
        var partitioner = new StickyPartitioner();
        int first = partitioner.Partition("t", 4);
        int second = partitioner.OnNewBatch("t", 4, first);
        // A second thread reporting the same completed batch must not move the partition again.
        Assert.Equal(second, partitioner.OnNewBatch("t", 4, first));
        Assert.Equal(second, partitioner.Partition("t", 4));
    }

    [Fact]
    public void Single_partition_topic_stays_on_zero()
    {
        var partitioner = new StickyPartitioner();
        Assert.Equal(0, partitioner.Partition("t", 1));
        Assert.Equal(0, partitioner.OnNewBatch("t", 1, 0));
    }

    [Fact]
    public void Topics_are_independent_and_every_partition_gets_used()
    {
        int draws = 0;
        var partitioner = new StickyPartitioner(n => draws++ % n);
        Assert.Equal(0, partitioner.Partition("a", 3));
        Assert.Equal(1, partitioner.Partition("b", 3));
        var seen = new HashSet<int> { partitioner.Partition("a", 3) };
        int current = partitioner.Partition("a", 3);
        for (int i = 0; i < 10; i++)
        {
            current = partitioner.OnNewBatch("a", 3, current);
            seen.Add(current);
        }

        Assert.Equal([0, 1, 2], seen.Order());
        Assert.Equal(1, partitioner.Partition("b", 3));
    }

    [Fact]
    public void A_shrunken_partition_count_moves_to_a_valid_partition()
    {
        var partitioner = new StickyPartitioner(n => n - 1);
        Assert.Equal(9, partitioner.Partition("t", 10));
        Assert.Equal(2, partitioner.Partition("t", 3));
    }
}
