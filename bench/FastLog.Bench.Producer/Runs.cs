using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using FastLog.Client.Producer;
using CkAcks = Confluent.Kafka.Acks;
using CkCompression = Confluent.Kafka.CompressionType;
using CkMessage = Confluent.Kafka.Message<Confluent.Kafka.Null, byte[]>;
using FlMessage = FastLog.Client.Producer.Message<FastLog.Client.Serialization.Null, byte[]>;
using FlNull = FastLog.Client.Serialization.Null;

namespace FastLog.Bench.Producer;

/// <summary>One row of the matrix: record size × count × acks × compression.</summary>
internal sealed record Row(int RecordBytes, int Count, string Acks, string Compression)
{
    public string Id => $"{(RecordBytes >= 1024 ? $"{RecordBytes / 1024} KiB" : $"{RecordBytes} B")} × {Count:N0} acks={Acks} {Compression}";

    public static IEnumerable<Row> Matrix(int smallCount, int largeCount)
    {
        foreach ((int bytes, int count) in new[] { (100, smallCount), (1024, largeCount) })
        {
            foreach (string acks in new[] { "1", "all" })
            {
                foreach (string compression in new[] { "none", "lz4" })
                {
                    yield return new Row(bytes, count, acks, compression);
                }
            }
        }
    }
}

/// <summary>What one produce run measured: first produce call to last delivery report.</summary>
internal sealed record RunResult(string Client, double Seconds, long Records, long Errors, double ClientCpuSeconds, double BrokerCpuSeconds)
{
    public double RecordsPerSecond => Records / Seconds;
}

/// <summary>
/// The same workload for both clients: partition 0 of a fresh topic (created before the clock starts), the
/// synchronous produce call with a delivery handler in a tight loop, values cycling through 1,024 distinct
/// payloads of random capital letters (a little compressible, like Kafka's producer-perf-test payloads),
/// linger 5 ms, batches up to 1,000,000 bytes, idempotence off on both.
/// </summary>
internal static class Runs
{
    public static byte[][] Payloads(int recordBytes)
    {
        var random = new Random(42);
        var values = new byte[1024][];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = new byte[recordBytes];
            for (int j = 0; j < recordBytes; j++)
            {
                values[i][j] = (byte)('A' + random.Next(26));
            }
        }

        return values;
    }

    public static async Task<RunResult> FastLogAsync(string bootstrap, string topic, Row row, byte[][] payloads, Func<TimeSpan> brokerCpu)
    {
        ProducerOptions options = ProducerOptions.FromConfig(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["acks"] = row.Acks,
            ["compression.type"] = row.Compression,
            ["linger.ms"] = "5",
            ["batch.size"] = "1000000",
            ["enable.idempotence"] = "false",
        });
        await using var producer = new KafkaProducer<FlNull, byte[]>(options);
        var message = new FlMessage { Value = payloads[0] };
        await producer.ProduceAsync(topic, 0, message);

        long delivered = 0;
        long errors = 0;
        int count = row.Count;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long end = 0;
        Action<DeliveryReport> handler = report =>
        {
            if (!report.IsSuccess)
            {
                Interlocked.Increment(ref errors);
            }

            if (Interlocked.Increment(ref delivered) == count)
            {
                end = Stopwatch.GetTimestamp();
                done.TrySetResult();
            }
        };

        var (cpu, broker) = (Process.GetCurrentProcess().TotalProcessorTime, brokerCpu());
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            message.Value = payloads[i & 1023];
            producer.Produce(topic, 0, message, handler);
        }

        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        return new RunResult(
            "FastLog",
            (end - start) / (double)Stopwatch.Frequency,
            count - errors,
            errors,
            (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,
            (brokerCpu() - broker).TotalSeconds);
    }

    public static RunResult Confluent(string bootstrap, string topic, Row row, byte[][] payloads, Func<TimeSpan> brokerCpu)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = row.Acks == "all" ? CkAcks.All : CkAcks.Leader,
            LingerMs = 5,
            BatchSize = 1_000_000,
            BatchNumMessages = 1_000_000,
            QueueBufferingMaxMessages = 10_000_000,
            QueueBufferingMaxKbytes = 2_097_151,
            CompressionType = Enum.Parse<CkCompression>(row.Compression, ignoreCase: true),
            EnableIdempotence = false,
            DeliveryReportFields = "status",
        };
        using var producer = new ProducerBuilder<Null, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        producer.ProduceAsync(topic, new CkMessage { Value = payloads[0] }).GetAwaiter().GetResult();

        var partition = new TopicPartition(topic, new Partition(0));
        var message = new CkMessage { Value = payloads[0] };
        long delivered = 0;
        long errors = 0;
        int count = row.Count;
        long end = 0;
        using var done = new ManualResetEventSlim();

        // Delivery reports come on the client's single poll thread.
        Action<DeliveryReport<Null, byte[]>> handler = report =>
        {
            if (report.Error.IsError)
            {
                errors++;
            }

            if (++delivered == count)
            {
                end = Stopwatch.GetTimestamp();
                done.Set();
            }
        };

        var (cpu, broker) = (Process.GetCurrentProcess().TotalProcessorTime, brokerCpu());
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            message.Value = payloads[i & 1023];
            while (true)
            {
                try
                {
                    producer.Produce(partition, message, handler);
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    Thread.Sleep(1);
                }
            }
        }

        if (!done.Wait(TimeSpan.FromMinutes(5)))
        {
            throw new TimeoutException($"only {delivered} of {count} delivery reports");
        }

        return new RunResult(
            "Confluent.Kafka",
            (end - start) / (double)Stopwatch.Frequency,
            count - errors,
            errors,
            (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,
            (brokerCpu() - broker).TotalSeconds);
    }

    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);
}
