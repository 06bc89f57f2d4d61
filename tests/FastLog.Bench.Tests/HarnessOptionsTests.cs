using FastLog.Bench.Clients;
using FastLog.Bench.Harness;

namespace FastLog.Bench.Tests;

/// <summary>Presets, overrides and the matrix the command line describes.</summary>
public sealed class HarnessOptionsTests
{
    [Fact]
    public void Omb_preset_is_one_topic_of_16_partitions_1KiB_acks_all_at_half_the_maximum_with_fsync_per_message()
    {
        var options = HarnessOptions.Parse(["--preset", "omb"])!;

        Assert.Equal([16], options.Partitions);
        Assert.Equal([1024], options.RecordSizes);
        Assert.Equal([AckMode.All], options.Acks);
        Assert.Equal(new RateSpec(0.5, IsShareOfMax: true), options.Rate);
        Assert.True(options.FsyncEveryMessage);
        Assert.Equal(5, options.TargetP99Ms);
        Assert.Equal("omb", options.Name);
        Assert.True(options.BrokerProcess);
        Assert.Equal(10, options.WarmupSeconds);
    }

    [Fact]
    public void Lead_in_at_the_fixed_rate_is_off_unless_asked_for_or_set_by_the_omb_preset()
    {
        Assert.Equal(0, HarnessOptions.Parse(["--rate", "1000"])!.WarmupSeconds);
        Assert.Equal(3, HarnessOptions.Parse(["--rate", "1000", "--warmup-seconds", "3"])!.WarmupSeconds);
        Assert.Equal(0, HarnessOptions.Parse(["--preset", "omb", "--warmup-seconds", "0"])!.WarmupSeconds);
        Assert.Equal(1, HarnessOptions.Parse(["--preset", "omb", "--quick"])!.WarmupSeconds);
    }

    [Fact]
    public void Omb_preset_keeps_the_broker_in_process_when_asked_and_leaves_a_running_broker_alone()
    {
        var inProcess = HarnessOptions.Parse(["--preset", "omb", "--broker", "fastlog"])!;
        Assert.False(inProcess.BrokerProcess);
        Assert.True(inProcess.FsyncEveryMessage);

        // A running broker keeps its own settings: the preset neither starts one nor sets its flush policy.
        var running = HarnessOptions.Parse(["--preset", "omb", "--bootstrap", "127.0.0.1:9092"])!;
        Assert.False(running.BrokerProcess);
        Assert.False(running.FsyncEveryMessage);
        Assert.Equal([16], running.Partitions);

        var mock = HarnessOptions.Parse(["--preset", "omb", "--broker", "mock"])!;
        Assert.False(mock.BrokerProcess);
        Assert.False(mock.FsyncEveryMessage);
    }

    [Fact]
    public void Client_preset_compares_both_clients_on_the_issue_workload_and_reads_back_after_producing()
    {
        var options = HarnessOptions.Parse(["--preset", "client"])!;

        Assert.Equal(["fastlog", "confluent"], options.Clients);
        Assert.Equal([100, 1024], options.RecordSizes);
        Assert.Equal(1_000_000, options.RecordsFor(100));
        Assert.Equal(200_000, options.RecordsFor(1024));
        Assert.Equal([AckMode.Leader, AckMode.All], options.Acks);
        Assert.Equal([Codec.None, Codec.Lz4], options.Compressions);
        Assert.Equal(ConsumeMode.After, options.Consume);
        Assert.Equal("client", options.Name);
    }

    [Fact]
    public void Options_on_the_command_line_override_the_preset()
    {
        var options = HarnessOptions.Parse(["--preset", "omb", "--partitions", "4", "--duration", "120", "--name", "omb-4"])!;

        Assert.Equal([4], options.Partitions);
        Assert.Equal(120, options.DurationSeconds);
        Assert.Equal("omb-4", options.Name);
        Assert.Equal([AckMode.All], options.Acks);
    }

    [Fact]
    public void Lists_multiply_into_the_matrix_and_records_follow_the_record_size()
    {
        var options = HarnessOptions.Parse(
            ["--producers", "1,2", "--partitions", "1,4", "--record-size", "100,1KiB", "--records", "1000,200", "--acks", "1,all", "--compression", "none,lz4", "--linger", "0,5"])!;

        var matrix = HarnessRun.Matrix(options).Select(m => m.Throughput).ToList();

        Assert.Equal(64, matrix.Count);
        Assert.Equal(64, matrix.Distinct().Count());
        Assert.All(matrix, s => Assert.Equal(s.RecordBytes == 100 ? 1000 : 200, s.Records));
        Assert.Contains(matrix, s => s is { Producers: 2, Partitions: 4, RecordBytes: 1024, Acks: AckMode.All, Compression: Codec.Lz4, LingerMs: 5 });
    }

    [Fact]
    public void Payload_is_random_letters_unless_text_is_asked_for()
    {
        Assert.False(HarnessOptions.Parse(["--preset", "client"])!.TextPayload);
        Assert.True(HarnessOptions.Parse(["--preset", "client", "--payload", "TEXT"])!.TextPayload);
        Assert.False(HarnessOptions.Parse(["--payload", "letters"])!.TextPayload);
    }

    [Theory]
    [InlineData("--record-size", "4")]
    [InlineData("--acks", "2")]
    [InlineData("--compression", "brotli")]
    [InlineData("--rate", "150%")]
    [InlineData("--broker", "kafka")]
    [InlineData("--preset", "nightly")]
    [InlineData("--client", "nobody")]
    [InlineData("--payload", "binary")]
    [InlineData("--warmup-seconds", "-1")]
    [InlineData("--slow-ack-ms", "-1")]
    public void Invalid_values_are_refused_with_a_message(string option, string value)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => HarnessOptions.Parse([option, value]));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void The_slow_acknowledgement_log_is_off_unless_asked_for_and_defaults_to_the_omb_target()
    {
        var plain = HarnessOptions.Parse([])!;
        Assert.Null(plain.SlowAcksPath);
        var asked = HarnessOptions.Parse(["--slow-acks", "slow.csv"])!;
        Assert.Equal("slow.csv", asked.SlowAcksPath);
        Assert.Equal(5, asked.SlowAckMs);
        Assert.Equal(2.5, HarnessOptions.Parse(["--slow-acks", "slow.csv", "--slow-ack-ms", "2.5"])!.SlowAckMs);

        // Not one of the run's own result files, which would be written over it.
        string dir = Path.GetTempPath();
        Assert.Throws<ArgumentException>(() => HarnessOptions.Parse(["--out-dir", dir, "--name", "run", "--slow-acks", Path.Combine(dir, "run.csv")]));
        Assert.NotNull(HarnessOptions.Parse(["--out-dir", dir, "--name", "run", "--slow-acks", Path.Combine(dir, "run-slow.csv")]));
    }

    [Fact]
    public void A_running_broker_takes_no_broker_settings()
    {
        Assert.Throws<ArgumentException>(() => HarnessOptions.Parse(["--bootstrap", "127.0.0.1:9092", "--fsync-every-message"]));
    }
}
