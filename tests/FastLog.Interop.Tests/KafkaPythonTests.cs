using System.Text.Json;
using Confluent.Kafka;
using FastLog.Interop.Tests.Support;

namespace FastLog.Interop.Tests;

/// <summary>kafka-python (a pure-Python client with its own protocol code) as a child process against an in-process broker.</summary>
public sealed class KafkaPythonTests
{
    private const int Partitions = 3;

    private static string Script => Path.Combine(AppContext.BaseDirectory, "Scripts", "kafka_python_client.py");

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Producer_then_consumer_without_a_group_round_trip_with_each_codec(string codec)
    {
        string python = await ExternalTools.PythonAsync();
        await using var broker = await ConfluentKafkaTests.StartBrokerAsync();
        string topic = "python-" + codec;
        long baseTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 50_000;

        var produced = await RunAsync(python, "produce", broker.BootstrapServers, topic, Partitions.ToString(), "45", codec, baseTimestamp.ToString());
        Assert.Equal(45, produced.Count);
        foreach (var partition in produced.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(r => r.Offset));
        }

        // kafka-python reads back what it wrote, without a group.
        var consumed = await RunAsync(python, "consume", broker.BootstrapServers, topic, Partitions.ToString());
        // Partitions interleave in any order; within one, records must come in offset order (OrderBy is stable).
        Assert.Equal(produced.OrderBy(r => r.Partition).ThenBy(r => r.Offset), consumed.OrderBy(r => r.Partition));

        // Confluent.Kafka reads the same records: keys, values, headers, timestamps.
        var read = Kafka.ReadAll(broker.BootstrapServers, topic, Partitions);
        ConfluentKafkaTests.AssertReadBack(produced.Select(r => r.ToSent()).ToList(), read);

        // And kafka-python reads what Confluent.Kafka wrote with the same codec.
        string fromConfluent = topic + "-confluent";
        var sent = ConfluentKafkaTests.Messages(Partitions, 15, baseTimestamp);
        using (var producer = Kafka.Producer(Kafka.ProducerConfig(broker.BootstrapServers, Acks.All, ParseCodec(codec))))
        {
            Kafka.ProduceAll(producer, fromConfluent, sent);
        }

        var pythonRead = await RunAsync(python, "consume", broker.BootstrapServers, fromConfluent, Partitions.ToString());
        Assert.Equal(
            sent.GroupBy(m => m.Partition).OrderBy(g => g.Key).SelectMany(g => g.Select((m, i) => PythonRecord.From(m, i))),
            pythonRead.OrderBy(r => r.Partition));
    }

    private static CompressionType ParseCodec(string codec) => codec switch
    {
        "none" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        _ => CompressionType.Zstd,
    };

    private static async Task<List<PythonRecord>> RunAsync(string python, params string[] arguments)
    {
        var result = await ChildProcess.RunAsync(python, [Script, .. arguments], timeout: TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0, result.Describe("kafka-python " + arguments[0]));
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PythonRecord.Parse).ToList();
    }

    /// <summary>One record as the script prints it; bytes as hex so that records compare as strings.</summary>
    private sealed record PythonRecord(int Partition, long Offset, string? Key, string? Value, string Headers, long Timestamp)
    {
        public static PythonRecord Parse(string line)
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var headers = root.GetProperty("headers").EnumerateArray()
                .Select(h => $"{h[0].GetString()}={h[1].GetString() ?? "<null>"}");
            return new PythonRecord(
                root.GetProperty("partition").GetInt32(),
                root.GetProperty("offset").GetInt64(),
                root.GetProperty("key").GetString(),
                root.GetProperty("value").GetString(),
                string.Join(';', headers),
                root.GetProperty("timestamp").GetInt64());
        }

        public static PythonRecord From(SentMessage message, int offset) => new(
            message.Partition,
            offset,
            Hex(message.Key),
            Hex(message.Value),
            string.Join(';', message.Headers.Select(h => $"{h.Key}={Hex(h.Value) ?? "<null>"}")),
            message.TimestampMs);

        public SentMessage ToSent() => new(
            Partition,
            Unhex(Key),
            Unhex(Value),
            Headers.Length == 0 ? [] : Headers.Split(';').Select(h => h.Split('=')).Select(kv => (kv[0], Unhex(kv[1] == "<null>" ? null : kv[1]))).ToList(),
            Timestamp);

        private static string? Hex(byte[]? bytes) => bytes is null ? null : Convert.ToHexStringLower(bytes);

        private static byte[]? Unhex(string? hex) => hex is null ? null : Convert.FromHexString(hex);
    }
}
