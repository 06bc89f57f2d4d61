using FastLog.Server.Tests.Support;
using System.Globalization;
using System.Text;
using FastLog.Engine.Log;
using FastLog.Format;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace FastLog.Server.Tests.Fuzz;

/// <summary>
/// Feeds a live broker at least 100,000 mutated requests (malformed frames, unknown API keys and
/// versions, truncated and hostile bodies, bad CRCs, oversize batches) and then checks that it still
/// serves a normal client, that it logged no unexpected failure and at most one line per connection,
/// and that every batch in its logs is whole, valid, contiguous and one a client meant to write.
/// The seed is printed; the default is fixed, and FASTLOG_FUZZ_SEED picks another (to explore or replay).
/// </summary>
public sealed class HostileRequestFuzzTests
{
    private const long TargetMutatedRequests = 100_000;

    /// <summary>CI replays one known corpus so its verdict is repeatable; explore others with FASTLOG_FUZZ_SEED.</summary>
    private const int DefaultSeed = 12345;
    private const int Workers = 12;
    /// <summary>
    /// A bound against a hang, not a speed check: alone the corpus takes under two minutes even on a busy
    /// machine, but the whole solution's test projects run side by side and share the cores.
    /// </summary>
    private static readonly TimeSpan FuzzTimeBudget = TimeSpan.FromMinutes(10);

    private readonly ITestOutputHelper _output;

    public HostileRequestFuzzTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Broker_survives_100k_mutated_requests_and_its_log_stays_intact()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("FASTLOG_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int fixedSeed)
            ? fixedSeed
            : DefaultSeed;
        string replay = $"(seed {seed}; FASTLOG_FUZZ_SEED={seed} replays it)";
        _output.WriteLine($"fuzz seed {seed}");

        var seeds = FuzzSeeds.Build();
        string dataDirectory = Path.Combine(Path.GetTempPath(), "fastlog-fuzz-" + Guid.NewGuid().ToString("N"));
        var logs = new CountingLoggerProvider();
        var stats = new FuzzStats();
        byte[] finalBatch = FuzzSeeds.BuildBatch(100_000, CompressionCodec.None, records: 3, valueBytes: 40);
        try
        {
            var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions
            {
                DataDirectory = dataDirectory,
                LoggerFactory = logs,
                Settings = new Dictionary<string, string>
                {
                    ["message.max.bytes"] = FuzzSeeds.MaxMessageBytes.ToString(CultureInfo.InvariantCulture),
                    ["socket.request.max.bytes"] = (1 << 20).ToString(CultureInfo.InvariantCulture),
                },
            });
            try
            {
                await CreateTopicAsync(broker);

                var deadline = DateTime.UtcNow + FuzzTimeBudget;
                var driver = new FuzzDriver(broker.LocalEndPoint, seeds, stats);
                var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() => driver.RunWorkerAsync(seed + w, TargetMutatedRequests, deadline))).ToArray();
                await Task.WhenAll(workers);
                Report(stats, logs);

                Assert.True(stats.Violations.IsEmpty, $"bad responses {replay}:\n{string.Join('\n', stats.Violations)}");
                Assert.True(stats.Mutated >= TargetMutatedRequests, $"only {stats.Mutated} mutated requests sent within {FuzzTimeBudget} {replay}");
                Assert.True(stats.Responses > 0, $"no request was answered {replay}");

                await CheckStillServesAsync(broker, finalBatch, replay);
            }
            finally
            {
                await broker.DisposeAsync();
            }

            CheckLogLines(logs, replay);
            CheckLogsOnDisk(dataDirectory, seeds, finalBatch, replay);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A temporary directory: leftovers are harmless.
            }
        }
    }

    private static async Task CreateTopicAsync(FastLogBroker broker)
    {
        using var client = await WireClient.ConnectAsync(broker.LocalEndPoint);
        var metadata = await client.SendAsync<MetadataResponse>(
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = FuzzSeeds.Topic }], AllowAutoTopicCreation = true },
            12);
        var topic = Assert.Single(metadata.Topics);
        Assert.Equal(0, topic.ErrorCode);
        Assert.Single(topic.Partitions);
    }

    /// <summary>A normal client after the storm: ApiVersions, Metadata, an acks=all produce and a fetch of what it wrote.</summary>
    private static async Task CheckStillServesAsync(FastLogBroker broker, byte[] batch, string replay)
    {
        using var client = await WireClient.ConnectAsync(broker.LocalEndPoint);
        var versions = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "fuzz-client", ClientSoftwareVersion = "1.0.0" }, 3);
        Assert.True(versions.ErrorCode == 0, $"ApiVersions error {versions.ErrorCode} after fuzzing {replay}");
        Assert.Contains(versions.ApiKeys, k => k.ApiKey == (short)ApiKey.Produce);

        var metadata = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = FuzzSeeds.Topic }], AllowAutoTopicCreation = false }, 12);
        Assert.True(metadata.Topics.Single().ErrorCode == 0, $"Metadata error {metadata.Topics.Single().ErrorCode} after fuzzing {replay}");

        var produced = await client.SendAsync<ProduceResponse>(FuzzSeeds.Produce(-1, batch.ToArray()), 9);
        var partition = produced.Responses.Single().PartitionResponses.Single();
        Assert.True(partition.ErrorCode == 0, $"Produce error {partition.ErrorCode} ({partition.ErrorMessage}) after fuzzing {replay}");
        Assert.True(partition.BaseOffset >= 0, $"Produce base offset {partition.BaseOffset} {replay}");

        var fetched = await client.SendAsync<FetchResponse>(FuzzSeeds.Fetch(partition.BaseOffset, maxWaitMs: 0, minBytes: 1), 12);
        var data = fetched.Responses.Single().Partitions.Single();
        Assert.True(data.ErrorCode == 0, $"Fetch error {data.ErrorCode} after fuzzing {replay}");
        var records = data.Records.Bytes.Span;
        Assert.True(RecordBatchValidator.Validate(records, int.MaxValue, out int size) == RecordBatchError.None, $"fetched batch invalid {replay}");
        var header = new RecordBatchHeader(records);
        Assert.Equal(partition.BaseOffset, header.BaseOffset);
        Assert.True(records[RecordBatchLayout.AttributesOffset..size].SequenceEqual(batch.AsSpan(RecordBatchLayout.AttributesOffset)), $"fetched batch differs from the produced one {replay}");
    }

    /// <summary>No Error-level line at all (a handler's exception is logged as one); at most one Warning-or-worse line per connection.</summary>
    private void CheckLogLines(CountingLoggerProvider logs, string replay)
    {
        var entries = logs.Entries.ToList();
        var errors = entries.Where(e => e.Level >= LogLevel.Error).ToList();
        var unexpected = errors
            .GroupBy(e => $"{e.EventId} {e.Exception?.GetType().FullName ?? "(no exception)"}")
            .Select(g => $"{g.Count()} x event {g.Key}: {g.First().Message} {g.First().Exception}")
            .ToList();
        Assert.True(unexpected.Count == 0, $"unexpected error lines {replay}:\n{string.Join("\n\n", unexpected)}");

        var chatty = entries
            .Where(e => e.Level >= LogLevel.Warning && e.ConnectionId is not null)
            .GroupBy(e => e.ConnectionId)
            .Where(g => g.Count() > 1)
            .Take(5)
            .Select(g => string.Join(" | ", g.Select(e => e.Message)))
            .ToList();
        Assert.True(chatty.Count == 0, $"more than one warning for a connection {replay}:\n{string.Join('\n', chatty)}");
        Assert.True(logs.Total == entries.Count, $"more log lines ({logs.Total}) than the capture keeps {replay}");
    }

    /// <summary>
    /// Reopens the stopped broker's logs with the engine: every batch validates, offsets run without a
    /// gap from the log start to the log end, and every batch's CRC-covered bytes are those of a batch a
    /// seed carried (or, failing that, a batch that passes the deep record validation).
    /// </summary>
    private void CheckLogsOnDisk(string dataDirectory, FuzzSeeds seeds, byte[] finalBatch, string replay)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        foreach (var batch in seeds.ValidBatches.Append(finalBatch))
        {
            sent.Add(Convert.ToHexString(batch.AsSpan(RecordBatchLayout.AttributesOffset)));
        }

        using var manager = LogManager.Open(new LogManagerOptions { LogDirs = [dataDirectory] });
        using var scratch = new PooledBufferWriter();
        var problems = new List<string>();
        long fuzzTopicBatches = 0;
        int topics = 0;
        foreach (var log in manager.Logs)
        {
            if (log.TopicPartition.Topic == "__cluster_metadata")
            {
                continue;
            }

            topics++;
            long expected = log.LogStartOffset;
            var buffer = new byte[1 << 20];
            while (expected < log.LogEndOffset && problems.Count < 10)
            {
                int read = log.ReadInto(expected, buffer, log.LogEndOffset);
                if (read <= 0)
                {
                    problems.Add($"{log.TopicPartition}: nothing readable at offset {expected} (log end {log.LogEndOffset})");
                    break;
                }

                int position = 0;
                while (position < read && problems.Count < 10)
                {
                    var bytes = buffer.AsSpan(position, read - position);
                    var error = RecordBatchValidator.Validate(bytes, int.MaxValue, out int size);
                    if (error == RecordBatchError.Truncated && position > 0)
                    {
                        // A read stops at its byte limit, possibly inside a batch: read again from there.
                        break;
                    }

                    if (error != RecordBatchError.None)
                    {
                        problems.Add($"{log.TopicPartition} offset {expected}: {error}");
                        break;
                    }

                    var header = new RecordBatchHeader(bytes);
                    if (header.BaseOffset != expected)
                    {
                        problems.Add($"{log.TopicPartition}: batch at {header.BaseOffset}, expected {expected}");
                    }

                    var batch = bytes[..size];
                    if (!sent.Contains(Convert.ToHexString(batch[RecordBatchLayout.AttributesOffset..])) &&
                        RecordBatchValidator.ValidateRecords(batch, scratch, 16 << 20) != RecordBatchError.None)
                    {
                        problems.Add($"{log.TopicPartition} offset {expected}: a batch no client sent valid, and its records are malformed: {Convert.ToHexString(batch)}");
                    }

                    expected = header.LastOffset + 1;
                    position += size;
                    if (log.TopicPartition.Topic == FuzzSeeds.Topic)
                    {
                        fuzzTopicBatches++;
                    }
                }

                if (position == 0)
                {
                    break;
                }
            }

            if (problems.Count == 0 && expected != log.LogEndOffset)
            {
                problems.Add($"{log.TopicPartition}: batches end at {expected}, the log at {log.LogEndOffset}");
            }
        }

        _output.WriteLine($"log check: {topics} topic partition(s), {fuzzTopicBatches} batches in {FuzzSeeds.Topic}");
        Assert.True(problems.Count == 0, $"log not intact {replay}:\n{string.Join('\n', problems)}");
        Assert.True(fuzzTopicBatches > 1, $"no fuzzed produce reached {FuzzSeeds.Topic} {replay}");
    }

    private void Report(FuzzStats stats, CountingLoggerProvider logs)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"requests: {stats.Mutated} mutated + {stats.Valid} valid over {stats.Connections} connections, {stats.BytesSent} bytes");
        text.AppendLine(CultureInfo.InvariantCulture, $"answers: {stats.Responses} responses; sends refused {stats.SendsRefused}, resets {stats.Resets}, read timeouts {stats.ReadTimeouts}");
        text.AppendLine("mutations: " + string.Join(", ", stats.ByMutation.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        var byEvent = logs.Entries.GroupBy(e => (e.Level, e.EventId)).OrderBy(g => g.Key.EventId);
        text.AppendLine("log lines: " + string.Join(", ", byEvent.Select(g => $"{g.Key.Level}/{g.Key.EventId} x{g.Count()}")));
        foreach (var sample in logs.Entries.Where(e => e.EventId == 1002).GroupBy(e => e.Message.Split(':', 3).ElementAtOrDefault(1)).Take(12))
        {
            text.AppendLine("  e.g. " + sample.First().Message);
        }

        foreach (var error in logs.Entries.Where(e => e.Level >= LogLevel.Error).Take(5))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  error {error.EventId}: {error.Message} {error.Exception}");
        }

        _output.WriteLine(text.ToString());
    }
}
