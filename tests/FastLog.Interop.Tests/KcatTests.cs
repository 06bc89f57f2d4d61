using System.Globalization;
using System.Text;
using System.Text.Json;
using FastLog.Interop.Tests.Support;

namespace FastLog.Interop.Tests;

/// <summary>kcat (librdkafka's command-line client) as a child process against an in-process broker.</summary>
public sealed class KcatTests
{
    private const int Partitions = 3;

    [Fact]
    public async Task Metadata_list_shows_the_broker_and_the_topic_partitions()
    {
        string kcat = ExternalTools.Kcat();
        await using var broker = await ConfluentKafkaTests.StartBrokerAsync();
        await ProduceAsync(kcat, broker.BootstrapServers, "listed", "none", ["a:1", "b:2"]);

        var plain = await ChildProcess.RunAsync(kcat, ["-b", broker.BootstrapServers, "-L"]);
        Assert.True(plain.ExitCode == 0, plain.Describe("kcat -L"));
        Assert.Contains($"broker 1 at {broker.BootstrapServers}", plain.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"topic \"listed\" with {Partitions} partitions", plain.StandardOutput, StringComparison.Ordinal);

        var json = await ChildProcess.RunAsync(kcat, ["-b", broker.BootstrapServers, "-L", "-J", "-t", "listed"]);
        Assert.True(json.ExitCode == 0, json.Describe("kcat -L -J"));
        using var document = JsonDocument.Parse(json.StandardOutput);
        var root = document.RootElement;
        var brokerEntry = Assert.Single(root.GetProperty("brokers").EnumerateArray());
        Assert.Equal(1, brokerEntry.GetProperty("id").GetInt32());
        Assert.Equal(broker.BootstrapServers, brokerEntry.GetProperty("name").GetString());
        var topic = Assert.Single(root.GetProperty("topics").EnumerateArray());
        Assert.Equal("listed", topic.GetProperty("topic").GetString());
        var partitions = topic.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, Partitions), partitions.Select(p => p.GetProperty("partition").GetInt32()).Order());
        Assert.All(partitions, p => Assert.Equal(1, p.GetProperty("leader").GetInt32()));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Keyed_messages_produced_with_each_codec_come_back_in_order(string codec)
    {
        string kcat = ExternalTools.Kcat();
        await using var broker = await ConfluentKafkaTests.StartBrokerAsync();
        string topic = "kcat-" + codec;
        const int Count = 60;
        var lines = Enumerable.Range(0, Count).Select(i => $"key{i % 8}:value {i} {new string('z', i * 7)}").ToList();
        await ProduceAsync(kcat, broker.BootstrapServers, topic, codec, lines, "-H", "origin=kcat");

        var consumed = await ChildProcess.RunAsync(kcat, ["-b", broker.BootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%p|%o|%k|%h|%s\n"]);
        Assert.True(consumed.ExitCode == 0, consumed.Describe("kcat -C"));
        var records = consumed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('|', 5))
            .Select(f => (Partition: int.Parse(f[0], CultureInfo.InvariantCulture), Offset: long.Parse(f[1], CultureInfo.InvariantCulture), Key: f[2], Headers: f[3], Value: f[4]))
            .ToList();

        Assert.Equal(Count, records.Count);
        Assert.All(records, r => Assert.Equal("origin=kcat", r.Headers));
        // Every line exactly once, with its key; a key always lands on one partition.
        Assert.Equal(lines.Order(StringComparer.Ordinal), records.Select(r => $"{r.Key}:{r.Value}").Order(StringComparer.Ordinal));
        Assert.All(records.GroupBy(r => r.Key), g => Assert.Single(g.Select(r => r.Partition).Distinct()));
        // Per partition: offsets 0, 1, 2, ... in the order the lines were produced.
        foreach (var partition in records.GroupBy(r => r.Partition))
        {
            var ordered = partition.OrderBy(r => r.Offset).ToList();
            Assert.Equal(Enumerable.Range(0, ordered.Count).Select(i => (long)i), ordered.Select(r => r.Offset));
            var sequence = ordered.Select(r => int.Parse(r.Value.Split(' ')[1], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(sequence.Order(), sequence);
        }

        // The same data through another client: Confluent.Kafka reads what kcat wrote.
        var read = Kafka.ReadAll(broker.BootstrapServers, topic, Partitions);
        Assert.Equal(Count, read.Values.Sum(r => r.Count));
        Assert.All(read.Values.SelectMany(r => r), r => Assert.Contains($"{Encoding.UTF8.GetString(r.Message.Key!)}:{Encoding.UTF8.GetString(r.Message.Value!)}", lines));
    }

    [Fact]
    public async Task Query_gives_the_first_offset_at_or_after_a_timestamp()
    {
        string kcat = ExternalTools.Kcat();
        await using var broker = await ConfluentKafkaTests.StartBrokerAsync();
        const string Topic = "kcat-times";
        await ProduceAsync(kcat, broker.BootstrapServers, Topic, "none", [.. Enumerable.Range(0, 5).Select(i => $"k:early {i}")], "-p", "0");
        // kcat stamps messages with the producing time: a moment strictly between the two batches.
        await Task.Delay(20);
        long between = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(20);
        await ProduceAsync(kcat, broker.BootstrapServers, Topic, "none", [.. Enumerable.Range(0, 5).Select(i => $"k:late {i}")], "-p", "0");
        long future = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_600_000;

        Assert.Equal(0, await QueryAsync(kcat, broker.BootstrapServers, Topic, 0));
        Assert.Equal(5, await QueryAsync(kcat, broker.BootstrapServers, Topic, between));
        Assert.Equal(-1, await QueryAsync(kcat, broker.BootstrapServers, Topic, future));

        // Consuming from that timestamp (-o s@...) starts at the first late message.
        var consumed = await ChildProcess.RunAsync(kcat, ["-b", broker.BootstrapServers, "-C", "-t", Topic, "-p", "0", "-o", $"s@{between}", "-e", "-f", "%o %s\n"]);
        Assert.True(consumed.ExitCode == 0, consumed.Describe("kcat -C -o s@"));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{i + 5} late {i}"), consumed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task ProduceAsync(string kcat, string bootstrap, string topic, string codec, IEnumerable<string> lines, params string[] extra)
    {
        string[] arguments = ["-b", bootstrap, "-P", "-t", topic, "-K", ":", "-z", codec, "-X", "acks=all", .. extra];
        var produced = await ChildProcess.RunAsync(kcat, arguments, string.Join('\n', lines) + "\n");
        Assert.True(produced.ExitCode == 0, produced.Describe("kcat -P " + string.Join(' ', arguments)));
        Assert.DoesNotContain("ERROR", produced.StandardError, StringComparison.Ordinal);
    }

    private static async Task<long> QueryAsync(string kcat, string bootstrap, string topic, long timestamp)
    {
        var query = await ChildProcess.RunAsync(kcat, ["-b", bootstrap, "-Q", "-t", $"{topic}:0:{timestamp}"]);
        Assert.True(query.ExitCode == 0, query.Describe("kcat -Q"));
        // "<topic> [0] offset <n>"
        string line = Assert.Single(query.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        string prefix = $"{topic} [0] offset ";
        Assert.True(line.StartsWith(prefix, StringComparison.Ordinal), query.Describe("kcat -Q"));
        return long.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }
}
