using System.Text.Json;
using Confluent.Kafka;
using FastLog.Cli.Tests.Support;
using static FastLog.Cli.Tests.Support.Cli;

namespace FastLog.Cli.Tests;

/// <summary><c>produce</c> from stdin, then <c>consume</c> it back: text and JSON, keys, headers, start positions.</summary>
public sealed class ProduceConsumeTests
{
    [Fact]
    public async Task Lines_produced_from_stdin_are_consumed_back_in_order_as_text()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "orders", "-p", "1");

        CliResult produced = await RunWithInputAsync(broker, "a\nb\nc\n", "produce", "orders");
        CliResult consumed = await OkAsync(broker, "consume", "orders", "--from-beginning", "--max-messages", "3");

        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.Empty(produced.Out);
        Assert.Equal("3 records produced to topic 'orders'.", produced.Error.TrimEnd());
        Assert.Equal(["a", "b", "c"], consumed.OutLines);
        Assert.Equal("3 records consumed.", consumed.Error.TrimEnd());
    }

    [Fact]
    public async Task Keys_split_at_the_first_separator_and_headers_show_in_text_and_json()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "1");

        CliResult produced = await RunWithInputAsync(
            broker, "k1:v:1\nno key here\n", "produce", "t", "--key-separator", ":", "--header", "src=cli", "-H", "n=1", "--acks", "1", "--compression", "gzip");
        CliResult text = await OkAsync(broker, "consume", "t", "--from-beginning", "-n", "2", "--print-key");
        CliResult json = await OkAsync(broker, "consume", "t", "--from-beginning", "-n", "2", "--format", "json");

        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.Equal(["k1\tv:1", "\tno key here"], text.OutLines);
        JsonElement[] records = [.. json.OutLines.Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.Equal("t", records[0].GetProperty("topic").GetString());
        Assert.Equal(0, records[0].GetProperty("partition").GetInt32());
        Assert.Equal(0, records[0].GetProperty("offset").GetInt64());
        Assert.True(records[0].GetProperty("timestamp").GetInt64() > 0);
        Assert.Equal("k1", records[0].GetProperty("key").GetString());
        Assert.Equal("utf8", records[0].GetProperty("keyEncoding").GetString());
        Assert.Equal("v:1", records[0].GetProperty("value").GetString());
        Assert.Equal(
            [("src", "cli"), ("n", "1")],
            records[0].GetProperty("headers").EnumerateArray().Select(h => (h.GetProperty("key").GetString(), h.GetProperty("value").GetString())));
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("key").ValueKind);
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("keyEncoding").ValueKind);
        Assert.Equal("no key here", records[1].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Json_gives_bytes_that_are_not_utf8_as_base64_and_says_so()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "bin", "-p", "1");
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync("bin", new Message<Null, byte[]> { Value = [0xff, 0x00, 0xfe] });
        }

        JsonElement record = JsonDocument.Parse((await OkAsync(broker, "consume", "bin", "--from-beginning", "-n", "1", "-o", "json")).OutLines[0]).RootElement;

        Assert.Equal("/wD+", record.GetProperty("value").GetString());
        Assert.Equal("base64", record.GetProperty("valueEncoding").GetString());
        Assert.Empty(record.GetProperty("headers").EnumerateArray());
    }

    [Fact]
    public async Task Offset_starts_one_partition_at_the_given_offset()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "2");
        CliResult produced = await RunWithInputAsync(broker, "v0\nv1\nv2\nv3\nv4\n", "produce", "t", "--partition", "1");

        CliResult consumed = await OkAsync(broker, "consume", "t", "--partition", "1", "--offset", "3", "--max-messages", "2");

        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.Equal(["v3", "v4"], consumed.OutLines);
    }

    [Fact]
    public async Task Timestamp_starts_each_partition_at_the_first_record_at_or_after_that_time()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "2");
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        Producer.Produce(broker.BootstrapServers, "t", 0, 5, i => start.AddSeconds(i));

        CliResult consumed = await OkAsync(broker, "consume", "t", "--timestamp", (start.ToUnixTimeMilliseconds() + 2000).ToString(), "-n", "3");

        Assert.Equal(["v2", "v3", "v4"], consumed.OutLines);
    }

    [Fact]
    public async Task A_group_commits_what_it_printed_and_the_next_run_resumes_there()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "1");
        await RunWithInputAsync(broker, "a\nb\nc\nd\n", "produce", "t");

        CliResult first = await OkAsync(broker, "consume", "t", "--group", "g", "--from-beginning", "-n", "2");
        CliResult second = await OkAsync(broker, "consume", "t", "--group", "g", "--from-beginning", "-n", "2");

        Assert.Equal(["a", "b"], first.OutLines);
        Assert.Equal(["c", "d"], second.OutLines);
    }

    [Fact]
    public async Task Timeout_ends_a_consumer_that_has_read_everything_with_exit_code_0()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "2");
        await RunWithInputAsync(broker, "x\ny\n", "produce", "t", "-K", "=");

        CliResult consumed = await OkAsync(broker, "consume", "t", "--from-beginning", "--timeout-ms", "1000");

        Assert.Equal(["x", "y"], consumed.OutLines.Order());
    }

    [Fact]
    public async Task Cancellation_ends_a_consumer_cleanly_with_exit_code_0()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "1");
        await RunWithInputAsync(broker, "first\n", "produce", "t");
        var stdout = new SyncWriter();
        var stderr = new SyncWriter();
        using var stop = new CancellationTokenSource();

        Task<int> running = CliApp.RunAsync(["consume", "t", "--from-beginning", "-b", broker.BootstrapServers], new StringReader(""), stdout, stderr, null, stop.Token);
        await EventuallyAsync(() => Task.FromResult(stdout.Text.Contains("first", StringComparison.Ordinal)), "the record printed");
        await stop.CancelAsync();
        int exitCode = await running.WaitAsync(HangGuard);

        Assert.Equal(0, exitCode);
        Assert.Equal("1 record consumed.", stderr.Text.TrimEnd());
    }
}
