using FastLog.Client.Producer;
using FastLog.Client.Serialization;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLog.Client.Tests.Producer;

/// <summary>
/// The cheap, per-commit form of the allocation benchmark: once warm, producing records (serialize, partition,
/// append), sealing their batch and completing it allocates nothing on the producing thread, for
/// <c>Produce</c>, <c>Produce</c> with a handler, and <c>ProduceAsync</c> awaited through its pooled source.
/// </summary>
public sealed class ProducerAllocationTests
{
    private const int Records = 2000;

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Lz4)]
    public async Task The_warm_produce_path_allocates_nothing(CompressionType compression)
    {
        await using var producer = new KafkaProducer<string, byte[]>(
            new ProducerOptions { BootstrapServers = "127.0.0.1:9", Compression = compression, BatchSize = 4 * 1024 * 1024, MaxRequestSize = 8 * 1024 * 1024 },
            null,
            null,
            startBackground: false);
        producer.Accumulator.EnsureTopic("t", 3);
        var message = new Message<string, byte[]> { Value = new byte[100], Headers = [new Header("h", new byte[] { 1, 2, 3 })] };
        string[] keys = [.. Enumerable.Range(0, 50).Select(i => $"key-{i}")];
        var deliveries = new ValueTask<DeliveryResult>[Records];
        long delivered = 0;
        Action<DeliveryReport> handler = _ => delivered++;

        void Round()
        {
            for (int i = 0; i < Records; i++)
            {
                message.Key = keys[i % keys.Length];
                producer.Produce("t", message);
                producer.Produce("t", message, handler);
#pragma warning disable CA2012 // Kept until the batch completes, then read exactly once.
                deliveries[i] = producer.ProduceAsync("t", message);
#pragma warning restore CA2012
            }

            SealAndComplete(producer.Accumulator, compression);
            for (int i = 0; i < Records; i++)
            {
                Assert.True(deliveries[i].IsCompletedSuccessfully);
                _ = deliveries[i].GetAwaiter().GetResult();
            }
        }

        // Warm-up: pooled batches end up on partitions with different record counts at first, and grow their slots
        // and delivery sources until each can hold the largest batch; after that nothing is allocated.
        for (int i = 0; i < 5; i++)
        {
            Round();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        Round();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(6 * Records, delivered);
    }

    private static void SealAndComplete(RecordAccumulator accumulator, CompressionType compression)
    {
        foreach (PartitionQueue queue in accumulator.Partitions)
        {
            while (true)
            {
                ProducerBatch? batch = null;
                lock (queue.Gate)
                {
                    queue.CloseOpen();
                    if (queue.Ready.Count > 0)
                    {
                        batch = queue.Ready.RemoveFirst();
                    }

                    queue.UpdateQueued();
                }

                if (batch is null)
                {
                    break;
                }

                batch.Seal(compression);
                accumulator.Memory.Release(batch.ReservedBytes);
                batch.Complete(0, -1, null, NullLogger.Instance);
                accumulator.EndWork();
            }
        }
    }
}
