using System.Buffers.Binary;
using Confluent.Kafka;
using FastLog.Server.Tests.Admin;

namespace FastLog.Server.Tests.Broker;

/// <summary>
/// Fetches from a partition written with direct I/O (log.direct.write.buffer.bytes): a large fetch
/// slice is sent from the file up to where the write buffer takes over and copied from the buffer
/// after, and a Confluent.Kafka consumer gets every record intact either way.
/// </summary>
public sealed class DirectWriteFetchTests
{
    private const string Topic = "direct";
    private const int Records = 3000;

    [Fact]
    public async Task A_consumer_gets_every_record_whether_a_fetch_reads_the_file_or_the_write_buffer()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync(new Dictionary<string, string>
        {
            ["num.partitions"] = "1",
            ["log.commit.journal.enable"] = "true",
            ["log.direct.write.buffer.bytes"] = "65536", // 64 KiB: 1 MiB fetches reach far behind it
        });

        // About 3 MB of 1 KiB values: the writeback writes whole pages only, so the newest bytes are in the buffer alone.
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            BrokerAddressFamily = BrokerAddressFamily.V4,
            Acks = Acks.All,
            LingerMs = 5,
        }).Build())
        {
            for (int i = 0; i < Records; i++)
            {
                producer.Produce(Topic, new Message<Null, byte[]> { Value = Value(i) });
            }

            Assert.Equal(0, producer.Flush(AdminTestKit.Timeout));
        }

        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            BrokerAddressFamily = BrokerAddressFamily.V4,
            GroupId = "direct-fetch",
            EnableAutoCommit = false,
            MaxPartitionFetchBytes = 1 << 20,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(Topic, 0, 0));
        var deadline = DateTime.UtcNow + AdminTestKit.Timeout;
        long next = 0;
        while (next < Records && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            Assert.Equal(next, result.Offset.Value);
            Assert.Equal(Value((int)next), result.Message.Value);
            next++;
        }

        Assert.Equal(Records, next);
    }

    private static byte[] Value(int index)
    {
        var value = new byte[1024];
        value.AsSpan().Fill((byte)('a' + (index % 26)));
        BinaryPrimitives.WriteInt32BigEndian(value, index);
        return value;
    }
}
