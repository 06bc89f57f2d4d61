using System.Diagnostics;
using CK = Confluent.Kafka;
using FastLog.Client.Consumer;
using FastLog.Client.Serialization;
using FlTopicPartition = FastLog.Client.Consumer.TopicPartition;

namespace FastLog.Bench.Consume;

/// <summary>One timed read of a whole partition.</summary>
internal sealed record Measurement(string Client, long Records, long ValueBytes, double Seconds, double ClientCpuSeconds, double BrokerCpuSeconds, double AllocatedBytesPerRecord)
{
    public double RecordsPerSecond => Records / Seconds;
}

/// <summary>The two consumers under the same conditions: assigned partition 0 from the beginning, clock from assignment to the last record.</summary>
internal static class Runners
{
    /// <summary>Confluent.Kafka with the settings the broker benchmark uses for its best consume rate.</summary>
    public static Measurement Confluent(string bootstrap, string topic, long expected, Func<TimeSpan> brokerCpu)
    {
        var config = new CK.ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "consume-bench",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = CK.AutoOffsetReset.Earliest,
            FetchMaxBytes = 64 * 1024 * 1024,
            MaxPartitionFetchBytes = 16 * 1024 * 1024,
            QueuedMaxMessagesKbytes = 262_144,
            FetchWaitMaxMs = 10,
            QueuedMinMessages = 1_000_000,
            FetchQueueBackoffMs = 1,
            ConsumeResultFields = "none",
        };
        using var consumer = new CK.ConsumerBuilder<CK.Ignore, byte[]>(config).Build();
        var (cpu, broker, allocated, clock) = Start(brokerCpu);
        consumer.Assign(new CK.TopicPartitionOffset(new CK.TopicPartition(topic, 0), CK.Offset.Beginning));
        long records = 0;
        long bytes = 0;
        while (records < expected)
        {
            CK.ConsumeResult<CK.Ignore, byte[]> result = consumer.Consume(TimeSpan.FromSeconds(30))
                ?? throw new TimeoutException($"Confluent: no record for 30 s after {records}");
            records++;
            bytes += result.Message.Value.Length;
        }

        Measurement measured = Stop("Confluent.Kafka", records, bytes, cpu, broker, allocated, clock, brokerCpu);
        consumer.Close();
        return measured;
    }

    /// <summary>FastLog.Client through the zero-copy <c>ReadAllAsync</c> enumerator.</summary>
    public static async Task<Measurement> FastLogViewsAsync(string bootstrap, string topic, long expected, Func<TimeSpan> brokerCpu)
    {
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(Options(bootstrap));
        var (cpu, broker, allocated, clock) = Start(brokerCpu);
        consumer.Assign([new FlTopicPartition(topic, 0)]);
        long records = 0;
        long bytes = 0;
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await foreach (ConsumedRecord record in consumer.ReadAllAsync(guard.Token))
        {
            bytes += record.Value.Length;
            if (++records == expected)
            {
                break;
            }
        }

        return Stop("FastLog ReadAllAsync", records, bytes, cpu, broker, allocated, clock, brokerCpu);
    }

    /// <summary>FastLog.Client through <c>ConsumeAsync</c>, which copies each value into a new array (as Confluent's does).</summary>
    public static async Task<Measurement> FastLogResultsAsync(string bootstrap, string topic, long expected, Func<TimeSpan> brokerCpu)
    {
        await using var consumer = new KafkaConsumer<Ignore, byte[]>(Options(bootstrap));
        var (cpu, broker, allocated, clock) = Start(brokerCpu);
        consumer.Assign([new FlTopicPartition(topic, 0)]);
        long records = 0;
        long bytes = 0;
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        while (records < expected)
        {
            ConsumeResult<Ignore, byte[]> result = await consumer.ConsumeAsync(guard.Token);
            records++;
            bytes += result.Value.Length;
        }

        return Stop("FastLog ConsumeAsync", records, bytes, cpu, broker, allocated, clock, brokerCpu);
    }

    private static ConsumerOptions Options(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchMaxBytes = 64 * 1024 * 1024,
        MaxPartitionFetchBytes = 16 * 1024 * 1024,
        FetchMaxWait = TimeSpan.FromMilliseconds(10),
    };

    private static (TimeSpan Cpu, TimeSpan Broker, long Allocated, long Clock) Start(Func<TimeSpan> brokerCpu) =>
        (Process.GetCurrentProcess().TotalProcessorTime, brokerCpu(), GC.GetTotalAllocatedBytes(precise: true), Stopwatch.GetTimestamp());

    private static Measurement Stop(string client, long records, long bytes, TimeSpan cpu, TimeSpan broker, long allocated, long clock, Func<TimeSpan> brokerCpu)
    {
        double seconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
        double allocatedPerRecord = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)records;
        return new Measurement(
            client,
            records,
            bytes,
            seconds,
            (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,
            (brokerCpu() - broker).TotalSeconds,
            allocatedPerRecord);
    }
}
