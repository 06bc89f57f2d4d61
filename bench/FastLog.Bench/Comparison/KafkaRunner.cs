using System.Diagnostics;
using Confluent.Kafka;
using FastLog.Bench.Clients.Confluent;
using FastLog.Bench.Common;
using HdrHistogram;

namespace FastLog.Bench.Comparison;

/// <summary>What one produce phase measured.</summary>
internal sealed record ProduceResult(
    long Records, long ValueBytes, double Seconds, long P50Micros, long P99Micros, long P999Micros, long MaxMicros,
    long Errors, double ClientCpuSeconds, double BrokerCpuSeconds, DiskDelta Disk, double MachineBusyCores)
{
    public double RecordsPerSecond => Records / Seconds;

    public double MBps => ValueBytes / 1e6 / Seconds;
}

/// <summary>What one consume phase measured.</summary>
internal sealed record ConsumeResult(long Records, long ValueBytes, double Seconds, double ClientCpuSeconds, double BrokerCpuSeconds, int Passes, long LogRecords, double MachineBusyCores)
{
    public double RecordsPerSecond => Records / Seconds;

    public double MBps => ValueBytes / 1e6 / Seconds;
}

/// <summary>The same Confluent.Kafka producer and consumer settings for every target.</summary>
internal static class KafkaRunner
{
    public static ProducerConfig ProducerConfig(string bootstrap, Row row) => new()
    {
        BootstrapServers = bootstrap,
        Acks = row.Acks,
        LingerMs = 5,
        BatchSize = 1_000_000,
        BatchNumMessages = 1_000_000,
        QueueBufferingMaxMessages = 10_000_000,
        QueueBufferingMaxKbytes = 2_097_151,
        CompressionType = row.Compression,
        EnableIdempotence = false,
        DeliveryReportFields = "status",
        AllowAutoCreateTopics = true,
    };

    /// <summary>
    /// Produces <see cref="Row.Count"/> records to partition 0 of <paramref name="topic"/> as fast as
    /// the client accepts them; latency is Produce call to delivery report, per record. The topic is
    /// created (auto-create through Metadata) and the connection made before the clock starts.
    /// </summary>
    public static ProduceResult Produce(string bootstrap, string topic, Row row, Payloads payloads, Func<TimeSpan>? brokerCpu, string? diskDevice)
    {
        var histogram = new LongHistogram(TimeSpan.TicksPerHour / 10, 3); // µs, up to 6 min
        var sendTicks = new long[row.Count];
        long delivered = 0;
        long errors = 0;
        string? firstError = null;
        var done = new ManualResetEventSlim();
        int count = row.Count;
        double microsPerTick = 1e6 / Stopwatch.Frequency;
        long lastDeliveryTicks = 0;

        // Delivery reports come on the client's single poll thread, in order within the partition.
        void OnDelivery(DeliveryReport<Null, byte[]> report)
        {
            long now = Stopwatch.GetTimestamp();
            long i = delivered++;
            if (report.Error.IsError)
            {
                errors++;
                firstError ??= report.Error.ToString();
            }
            else
            {
                histogram.RecordValue(Math.Max(1, (long)((now - sendTicks[i]) * microsPerTick)));
            }

            if (i + 1 == count)
            {
                lastDeliveryTicks = now;
                done.Set();
            }
        }

        using var producer = new ProducerBuilder<Null, byte[]>(ProducerConfig(bootstrap, row))
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"    producer error: {e}"))
            .SetLogHandler((_, m) => { if (m.Level <= SyslogLevel.Warning) { Console.Error.WriteLine($"    producer log: {m.Message}"); } })
            .Build();
        EnsureTopic(producer.Handle, topic);

        var partition = new TopicPartition(topic, new Partition(0));
        var message = new Message<Null, byte[]> { Value = payloads[0] };
        Action<DeliveryReport<Null, byte[]>> handler = OnDelivery;

        var disk = DiskDelta.Read(diskDevice);
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var brokerCpuStart = brokerCpu?.Invoke() ?? TimeSpan.Zero;
        var machineCpu = CpuStat.Read();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            // Produce serializes and copies the value synchronously, so one Message object serves.
            message.Value = payloads[i];
            sendTicks[i] = Stopwatch.GetTimestamp();
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
                    sendTicks[i] = Stopwatch.GetTimestamp();
                }
            }
        }

        if (!done.Wait(TimeSpan.FromMinutes(5)))
        {
            throw new TimeoutException($"only {Interlocked.Read(ref delivered)} of {count} delivery reports within 5 minutes");
        }

        double seconds = (lastDeliveryTicks - start) / (double)Stopwatch.Frequency;
        double machineBusy = CpuStat.BusyCoresSince(machineCpu);
        double brokerCpuSeconds = ((brokerCpu?.Invoke() ?? TimeSpan.Zero) - brokerCpuStart).TotalSeconds;
        double clientCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalSeconds;
        var diskDelta = DiskDelta.Read(diskDevice) - disk;
        if (firstError is not null)
        {
            Console.Error.WriteLine($"    {errors} delivery errors, first: {firstError}");
        }

        return new ProduceResult(
            count - errors, (count - errors) * (long)row.RecordBytes, seconds,
            histogram.GetValueAtPercentile(50), histogram.GetValueAtPercentile(99), histogram.GetValueAtPercentile(99.9), histogram.GetMaxValue(),
            errors, clientCpuSeconds, brokerCpuSeconds, diskDelta, machineBusy);
    }

    /// <summary>
    /// Reads partition 0 of <paramref name="topic"/> from the beginning with Assign (no group) until
    /// <paramref name="expected"/> records have arrived. The connection is made (a ListOffsets round
    /// trip, which also checks the log) before the clock starts. With <paramref name="wrap"/> (the
    /// mock cluster, which keeps only the last 5 MiB of a partition) a log shorter than
    /// <paramref name="expected"/> is read from its start offset and re-read (Seek back) until
    /// <paramref name="expected"/> records have arrived; the number of passes is returned.
    /// </summary>
    public static ConsumeResult Consume(string bootstrap, string topic, long expected, Func<TimeSpan>? brokerCpu, bool wrap = false, string? debug = null)
    {
        var config = ConfluentClient.ConsumerConfig(bootstrap); // the harness and the comparison read with the same settings
        if (debug is not null)
        {
            config.Debug = debug;
        }

        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config)
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"    consumer error: {e}"))
            .SetLogHandler((_, m) => Console.Error.WriteLine($"    {DateTime.UtcNow:HH:mm:ss.ffffff} consumer log: {m.Message}"))
            .Build();
        var partition = new TopicPartition(topic, new Partition(0));
        var watermarks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(30));
        long low = watermarks.Low.Value;
        long high = watermarks.High.Value;
        if (high - low < expected && !(wrap && high > low))
        {
            throw new InvalidOperationException($"{topic}: the log holds {watermarks.High.Value - watermarks.Low.Value} records, expected {expected}");
        }

        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var brokerCpuStart = brokerCpu?.Invoke() ?? TimeSpan.Zero;
        var machineCpu = CpuStat.Read();
        long start = Stopwatch.GetTimestamp();
        consumer.Assign(new TopicPartitionOffset(partition, wrap ? new Offset(low) : Offset.Beginning));
        long records = 0;
        long bytes = 0;
        int passes = 1;
        while (records < expected)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(30))
                ?? throw new TimeoutException($"{topic}: no record for 30 s after {records} of {expected}");
            records++;
            bytes += result.Message.Value.Length;
            if (wrap && result.Offset.Value >= high - 1 && records < expected)
            {
                consumer.Seek(new TopicPartitionOffset(partition, new Offset(low)));
                passes++;
            }
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double machineBusy = CpuStat.BusyCoresSince(machineCpu);
        double brokerCpuSeconds = ((brokerCpu?.Invoke() ?? TimeSpan.Zero) - brokerCpuStart).TotalSeconds;
        double clientCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalSeconds;
        consumer.Close();
        return new ConsumeResult(records, bytes, seconds, clientCpuSeconds, brokerCpuSeconds, passes, high - low, machineBusy);
    }

    /// <summary>Asks for the topic's metadata (auto-creating it) until partition 0 has a leader.</summary>
    private static void EnsureTopic(Handle handle, string topic)
    {
        using var admin = new DependentAdminClientBuilder(handle).Build();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
            var t = metadata.Topics.FirstOrDefault(x => x.Topic == topic);
            if (t is not null && !t.Error.IsError && t.Partitions.Any(p => p.PartitionId == 0 && p.Leader >= 0))
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"{topic}: no leader for partition 0 after 30 s ({t?.Error})");
            }

            Thread.Sleep(50);
        }
    }
}
