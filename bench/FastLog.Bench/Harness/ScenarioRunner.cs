using System.Buffers.Binary;
using System.Diagnostics;
using FastLog.Bench.Clients;
using FastLog.Bench.Common;
using HdrHistogram;

namespace FastLog.Bench.Harness;

/// <summary>
/// Runs one scenario: creates its topic, starts the consumer (live mode) and the producers, each on
/// its own thread, lets them loose together, waits for every acknowledgement and for the consumer
/// to read back what was acknowledged, and returns the figures.
/// </summary>
/// <remarks>
/// Each value starts with the <see cref="Stopwatch"/> timestamp of its send, which is both the
/// acknowledgement's reference and the end-to-end latency's; the rest is one of 1,024 strings of
/// random letters A–Z (about as compressible as Kafka's perf-test payloads). Records go round-robin
/// over the partitions (each producer starting at its own index), so every partition gets the same
/// share whatever the client's own partitioner would do. In latency mode each producer releases
/// its share of the rate on a fixed schedule, in bursts at most ~1 ms apart (the resolution of a
/// sleep here; a spinning pacer would take a core from the broker on a 2-core machine); how late a
/// send left against its slot is reported as the send delay. A latency scenario's lead-in
/// (<see cref="Scenario.LeadInRecords"/>) runs on the same schedule first; the measurement window —
/// latencies, send delay, CPU, the produce rate — opens at the first measured record's slot.
/// In live mode, before the clock starts, one primer record per partition (send time 0, not
/// counted) goes through producer, broker and consumer, so the consumer is connected and fetching
/// when the measured records arrive: a consumer's first fetch can otherwise lag by hundreds of
/// milliseconds (metadata, backoff) and that start-up would be read as end-to-end latency.
/// </remarks>
internal sealed class ScenarioRunner(IBenchClient client, BrokerTarget target, ConsumeMode consume, bool textPayload = false, SlowAckLog? slowAcks = null)
{
    /// <summary>The send time written into primer records; recorders skip it.</summary>
    public const long PrimerTicks = 0;

    private const int DistinctValues = 1024;

    private static readonly TimeSpan PrimeLimit = TimeSpan.FromSeconds(60);

    /// <summary>How long the consumer may see nothing before the harness stops waiting for the rest.</summary>
    private static readonly TimeSpan ConsumeIdleLimit = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan FlushLimit = TimeSpan.FromMinutes(5);

    public string BrokerName => target.Name;

    public async Task<ScenarioResult> RunAsync(Scenario scenario, string topic, ScenarioCounters counters)
    {
        await TopicAdmin.CreateAsync(target.Bootstrap, topic, scenario.Partitions, autoCreate: target.Name == "mock");
        return await Task.Factory.StartNew(() => Run(scenario, topic, counters), TaskCreationOptions.LongRunning);
    }

    private ScenarioResult Run(Scenario scenario, string topic, ScenarioCounters counters)
    {
        var producerSettings = new ProducerSettings(target.Bootstrap, topic, scenario.Partitions, scenario.Acks, scenario.Compression, scenario.LingerMs);
        var consumerSettings = new ConsumerSettings(target.Bootstrap, topic, scenario.Partitions);
        long total = scenario.RecordsToSend;
        long leadIn = total - scenario.Records;
        var window = new MeasureWindow();
        var recorders = Enumerable.Range(0, scenario.Producers).Select(_ => new AckRecorder(counters, window, slowAcks, scenario.Label)).ToArray();
        var delays = Enumerable.Range(0, scenario.Producers).Select(_ => LatencySummary.NewHistogram()).ToArray();
        var producers = new IBenchProducer[scenario.Producers];
        IBenchConsumer? consumer = null;
        try
        {
            for (int p = 0; p < producers.Length; p++)
            {
                producers[p] = client.CreateProducer(producerSettings, recorders[p]);
            }

            var endToEnd = new EndToEndRecorder(counters, recordLatency: consume == ConsumeMode.Live, window);
            Thread? consumerThread = null;
            long expectedConsumed = long.MaxValue; // lowered to the acknowledged count once the producers are done
            string? threadFailure = null;
            if (consume == ConsumeMode.Live)
            {
                consumer = client.CreateConsumer(consumerSettings);
                var c = consumer;
                consumerThread = new Thread(() =>
                {
                    try
                    {
                        ConsumeUntil(c, endToEnd, () => Interlocked.Read(ref expectedConsumed));
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        Interlocked.CompareExchange(ref threadFailure, $"consumer: {e.GetType().Name}: {e.Message}", null);
                    }
                })
                { Name = "bench-consumer", IsBackground = true };
                consumerThread.Start();
                Prime(producers[0], endToEnd, scenario);
            }

            var start = new ManualResetEventSlim();
            long startTicks = 0;
            long measureFromTicks = 0;
            var threads = new Thread[producers.Length];
            var flushed = new bool[producers.Length];
            for (int p = 0; p < producers.Length; p++)
            {
                int index = p;
                long share = total / producers.Length + (index < total % producers.Length ? 1 : 0);
                threads[p] = new Thread(() =>
                {
                    start.Wait();
                    try
                    {
                        ProduceShare(producers[index], scenario, index, share, startTicks, measureFromTicks, delays[index], counters, textPayload);
                        flushed[index] = producers[index].Flush(FlushLimit);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // An exception on this thread would end the process; the scenario reports it instead.
                        Interlocked.CompareExchange(ref threadFailure, $"producer {index}: {e.GetType().Name}: {e.Message}", null);
                        producers[index].Flush(FlushLimit);
                    }
                })
                { Name = $"bench-producer-{p}", IsBackground = true };
                threads[p].Start();
            }

            var machineCpu = CpuStat.Read();
            var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var brokerCpu = target.BrokerCpu;
            var gc = GcActivity.Now();
            startTicks = Stopwatch.GetTimestamp();
            measureFromTicks = leadIn == 0 ? startTicks : startTicks + (long)(leadIn / scenario.Rate!.Value * Stopwatch.Frequency);
            window.FromTicks = measureFromTicks;
            start.Set();
            if (leadIn > 0)
            {
                // CPU is counted from the first measured slot, like the latencies.
                while (Stopwatch.GetTimestamp() < measureFromTicks && threads.Any(t => t.IsAlive))
                {
                    Thread.Sleep(5);
                }

                machineCpu = CpuStat.Read();
                clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
                brokerCpu = target.BrokerCpu;
                gc = GcActivity.Now();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }

            long acked = recorders.Sum(r => r.Acked);
            long ackedInAll = acked + recorders.Sum(r => r.LeadInAcked);
            long lastAck = recorders.Max(r => r.LastAckTicks);
            double produceSeconds = Math.Max(0, lastAck - measureFromTicks) / (double)Stopwatch.Frequency;
            double clientCores = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalSeconds / Math.Max(produceSeconds, 1e-9);
            double? brokerCores = brokerCpu is { } b && target.BrokerCpu is { } e ? (e - b).TotalSeconds / Math.Max(produceSeconds, 1e-9) : null;
            var machineEnd = CpuStat.Read();
            double machineCores = CpuStat.BusyCores(machineCpu, machineEnd);
            double stolenCores = CpuStat.StolenCores(machineCpu, machineEnd);
            var harnessGc = GcActivity.Since(gc);

            double consumeSeconds = 0;
            if (consume == ConsumeMode.Live)
            {
                Interlocked.Exchange(ref expectedConsumed, ackedInAll);
                consumerThread!.Join();
                consumeSeconds = Math.Max(0, endToEnd.LastTicks - startTicks) / (double)Stopwatch.Frequency;
            }
            else if (consume == ConsumeMode.After)
            {
                // Timed from the first record to the last: connecting and the first fetch's round trips are
                // start-up costs each client pays its own way, not read throughput.
                consumer = client.CreateConsumer(consumerSettings);
                ConsumeUntil(consumer, endToEnd, () => ackedInAll);
                consumeSeconds = Math.Max(0, endToEnd.LastTicks - endToEnd.FirstTicks) / (double)Stopwatch.Frequency;
            }

            var ackHistogram = Merge(recorders.Select(r => r.Histogram));
            var delayHistogram = Merge(delays);
            var firstError = recorders.Select(r => r.FirstError).FirstOrDefault(e => e is not null);
            string? failure = Volatile.Read(ref threadFailure)
                ?? (flushed.All(f => f) ? null : $"not every record was acknowledged within {FlushLimit.TotalMinutes:F0} minutes");
            return new ScenarioResult
            {
                Scenario = scenario,
                Broker = target.Name,
                Sent = Math.Max(0, counters.Sent - leadIn),
                Acked = acked,
                LeadInAcked = ackedInAll - acked,
                Errors = recorders.Sum(r => r.Errors),
                FirstError = firstError,
                ProduceSeconds = produceSeconds,
                AckLatency = LatencySummary.Of(ackHistogram),
                SendDelay = scenario.LatencyMode ? LatencySummary.Of(delayHistogram) : null,
                EndToEnd = consume == ConsumeMode.Live ? LatencySummary.Of(endToEnd.Histogram) : null,
                Consume = consume.ToString().ToLowerInvariant(),
                Consumed = endToEnd.Records,
                ConsumeSeconds = consumeSeconds,
                ClientCores = clientCores,
                BrokerCores = brokerCores,
                MachineCores = machineCores,
                StolenCores = stolenCores,
                HarnessGc = harnessGc,
                Failure = failure,
            };
        }
        finally
        {
            foreach (var producer in producers)
            {
                producer?.Dispose();
            }

            consumer?.Dispose();
        }
    }

    /// <summary>Sends one primer record to every partition and waits until the live consumer has read them all.</summary>
    private static void Prime(IBenchProducer producer, EndToEndRecorder consumed, Scenario scenario)
    {
        var primer = new byte[scenario.RecordBytes];
        BinaryPrimitives.WriteInt64LittleEndian(primer, PrimerTicks);
        for (int p = 0; p < scenario.Partitions; p++)
        {
            producer.Send(p, primer, PrimerTicks);
        }

        if (!producer.Flush(PrimeLimit))
        {
            throw new TimeoutException($"the primer records were not acknowledged within {PrimeLimit.TotalSeconds:F0} s");
        }

        var clock = Stopwatch.StartNew();
        while (consumed.Primers < scenario.Partitions)
        {
            if (clock.Elapsed > PrimeLimit)
            {
                throw new TimeoutException($"the consumer read {consumed.Primers} of {scenario.Partitions} primer records within {PrimeLimit.TotalSeconds:F0} s");
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>One producer's share: as fast as the client takes records, or on the fixed-rate schedule.</summary>
    private static void ProduceShare(IBenchProducer producer, Scenario scenario, int index, long share, long startTicks, long measureFromTicks, LongHistogram delays, ScenarioCounters counters, bool text)
    {
        var values = text ? TextValues(scenario.RecordBytes, seed: 42 + index) : Values(scenario.RecordBytes, seed: 42 + index);
        int partitions = scenario.Partitions;
        int partition = index % partitions;
        if (scenario.Rate is not { } rate)
        {
            for (long i = 0; i < share; i++)
            {
                var value = values[i % DistinctValues];
                long now = Stopwatch.GetTimestamp();
                BinaryPrimitives.WriteInt64LittleEndian(value, now);
                producer.Send(partition, value, now);
                partition = partition + 1 == partitions ? 0 : partition + 1;
                if ((i & 1023) == 1023)
                {
                    counters.AddSent(1024);
                }
            }

            counters.AddSent(share & 1023);
            return;
        }

        double ticksPerRecord = Stopwatch.Frequency / (rate / scenario.Producers);
        double microsPerTick = 1e6 / Stopwatch.Frequency;
        long sent = 0;
        while (sent < share)
        {
            long now = Stopwatch.GetTimestamp();
            long due = Math.Min(share, (long)((now - startTicks) / ticksPerRecord) + 1);
            long before = sent;
            for (; sent < due; sent++)
            {
                var value = values[sent % DistinctValues];
                long sendTicks = Stopwatch.GetTimestamp();
                long slot = startTicks + (long)(sent * ticksPerRecord);
                if (slot >= measureFromTicks)
                {
                    delays.RecordValue(Math.Max(1, (long)((sendTicks - slot) * microsPerTick)));
                }
                BinaryPrimitives.WriteInt64LittleEndian(value, sendTicks);
                producer.Send(partition, value, sendTicks);
                partition = partition + 1 == partitions ? 0 : partition + 1;
            }

            counters.AddSent(sent - before);
            if (sent < share)
            {
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>Polls until <paramref name="expected"/> records have arrived, or nothing has for <see cref="ConsumeIdleLimit"/>.</summary>
    private static void ConsumeUntil(IBenchConsumer consumer, EndToEndRecorder sink, Func<long> expected)
    {
        var idle = Stopwatch.StartNew();
        while (sink.Records < expected())
        {
            if (consumer.Poll(TimeSpan.FromMilliseconds(100), sink) > 0)
            {
                idle.Restart();
            }
            else if (expected() != long.MaxValue && idle.Elapsed > ConsumeIdleLimit)
            {
                Console.Error.WriteLine($"    consumer: nothing for {ConsumeIdleLimit.TotalSeconds:F0} s after {sink.Records} of {expected()} records; giving up");
                return;
            }
        }
    }

    /// <summary>Words drawn from a 64-word vocabulary: log-line-like text that LZ4, zstd and the rest shrink.</summary>
    private static byte[][] TextValues(int recordBytes, int seed)
    {
        string[] words =
        [
            "order", "user", "payment", "accepted", "declined", "shipped", "warehouse", "invoice", "customer", "amount",
            "currency", "EUR", "USD", "status", "pending", "created", "updated", "region", "north", "south", "east", "west",
            "item", "quantity", "price", "discount", "total", "session", "device", "mobile", "desktop", "browser", "login",
            "logout", "error", "warning", "info", "debug", "latency", "request", "response", "service", "billing",
            "inventory", "cart", "checkout", "refund", "subscription", "renewal", "trial", "plan", "premium", "basic",
            "country", "city", "street", "delivery", "courier", "tracking", "returned", "cancelled", "completed", "id", "=",
        ];
        var random = new Random(seed);
        var values = new byte[DistinctValues][];
        for (int i = 0; i < values.Length; i++)
        {
            var value = new byte[recordBytes];
            int j = 0;
            while (j < value.Length)
            {
                foreach (char c in words[random.Next(words.Length)])
                {
                    if (j < value.Length)
                    {
                        value[j++] = (byte)c;
                    }
                }

                if (j < value.Length)
                {
                    value[j++] = (byte)' ';
                }
            }

            values[i] = value;
        }

        return values;
    }

    private static byte[][] Values(int recordBytes, int seed)
    {
        var random = new Random(seed);
        var values = new byte[DistinctValues][];
        for (int i = 0; i < values.Length; i++)
        {
            var value = new byte[recordBytes];
            for (int j = 0; j < value.Length; j++)
            {
                value[j] = (byte)('A' + random.Next(26));
            }

            values[i] = value;
        }

        return values;
    }

    private static LongHistogram Merge(IEnumerable<HistogramBase> parts)
    {
        var merged = LatencySummary.NewHistogram();
        foreach (var part in parts)
        {
            merged.Add(part);
        }

        return merged;
    }
}
