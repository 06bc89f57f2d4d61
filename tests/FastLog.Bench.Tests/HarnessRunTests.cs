using System.Globalization;
using System.Text.Json;
using FastLog.Bench.Harness;

namespace FastLog.Bench.Tests;

/// <summary>
/// Runs the harness as its command line would, on workloads of a few thousand records, against a
/// broker it starts inside the test process (FastLog, or librdkafka's mock cluster) and stops at the
/// end of the run. Asserts what must hold on any machine: every record sent is acknowledged and read
/// back, and the result files exist, parse, and name the command. No timing is asserted.
/// </summary>
public sealed class HarnessRunTests
{
    [Fact]
    public async Task Throughput_run_against_an_in_process_FastLog_writes_consistent_results()
    {
        using var dir = new TempDirectory();
        string readme = Path.Combine(dir.Path, "README.md");
        await File.WriteAllTextAsync(readme, "# index\n\n<!-- latest:smoke -->\nnothing yet\n<!-- /latest:smoke -->\n\nrest\n");
        string[] args =
        [
            "--records", "2000", "--partitions", "2", "--client", "confluent", "--warmup-records", "200",
            "--skip-limits", "--no-progress", "--out-dir", dir.Path, "--name", "smoke",
        ];

        var outcome = await HarnessRun.RunAsync(HarnessOptions.Parse(args)!);

        var result = Assert.Single(outcome.Results);
        Assert.Null(result.Failure);
        Assert.Equal(0, result.Errors);
        Assert.Equal(2000, result.Sent);
        Assert.Equal(2000, result.Acked);
        Assert.Equal(2000, result.Consumed);
        Assert.Equal(2000, result.AckLatency!.Count);
        Assert.Equal(2000, result.EndToEnd!.Count);
        Assert.Equal(0, outcome.ExitCode);

        string command = "dotnet run -c Release --project bench/FastLog.Bench -- " + string.Join(' ', args.Select(a => a == dir.Path && dir.Path.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
        string markdown = await File.ReadAllTextAsync(Path.Combine(dir.Path, "smoke.md"));
        Assert.Contains(command, markdown, StringComparison.Ordinal);
        Assert.Contains("| 1 | confluent | 1p 2pt 1KiB acks=1 none linger=5 | throughput, harness GC ", markdown, StringComparison.Ordinal);
        Assert.Contains(" ms paused | 2,000 |", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("which client goes first", markdown, StringComparison.Ordinal); // one client: no order to speak of

        var rows = ReadCsv(Path.Combine(dir.Path, "smoke.csv"));
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
        var csv = rows[0].Zip(rows[1]).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal("confluent", csv["client"]);
        Assert.Equal("fastlog", csv["broker"]);
        Assert.Equal("2", csv["partitions"]);
        Assert.Equal("2000", csv["records_acked"]);
        Assert.Equal("2000", csv["records_consumed"]);
        Assert.Equal(string.Empty, csv["failure"]);
        Assert.InRange(int.Parse(csv["harness_gc_collections"], CultureInfo.InvariantCulture), 0, int.MaxValue);
        Assert.InRange(int.Parse(csv["harness_gc_gen2"], CultureInfo.InvariantCulture), 0, int.Parse(csv["harness_gc_collections"], CultureInfo.InvariantCulture));
        Assert.InRange(double.Parse(csv["harness_gc_paused_ms"], CultureInfo.InvariantCulture), 0, double.MaxValue);
        Assert.InRange(double.Parse(csv["stolen_cores"], CultureInfo.InvariantCulture), 0, 2.0 * Environment.ProcessorCount);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, "smoke.json")));
        Assert.Equal(command, json.RootElement.GetProperty("command").GetString());
        var jsonResult = Assert.Single(json.RootElement.GetProperty("results").EnumerateArray().ToList());
        Assert.Equal(2000, jsonResult.GetProperty("acked").GetInt64());
        Assert.Equal(2000, jsonResult.GetProperty("consumed").GetInt64());
        Assert.True(json.RootElement.GetProperty("machine").GetProperty("cores").GetInt32() > 0);

        byte[] png = await File.ReadAllBytesAsync(Path.Combine(dir.Path, "smoke.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

        string index = await File.ReadAllTextAsync(readme);
        Assert.DoesNotContain("nothing yet", index, StringComparison.Ordinal);
        Assert.Contains(command, index, StringComparison.Ordinal);
        Assert.EndsWith("<!-- /latest:smoke -->\n\nrest\n", index, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_omb_preset_judges_its_target_beside_the_cores_the_host_stole()
    {
        using var dir = new TempDirectory();
        var options = HarnessOptions.Parse(
        [
            "--preset", "omb", "--broker", "fastlog", "--partitions", "2", "--records", "1000", "--duration", "1",
            "--warmup-seconds", "0", "--skip-limits", "--no-progress", "--out-dir", dir.Path, "--name", "omb-tiny",
        ])!;

        var outcome = await HarnessRun.RunAsync(options);

        Assert.Equal(0, outcome.ExitCode);
        string markdown = await File.ReadAllTextAsync(Path.Combine(dir.Path, "omb-tiny.md"));
        Assert.Contains("| client | scenario | target rate | achieved | produce p99 ms | cores stolen by the host | met? |", markdown, StringComparison.Ordinal);
        string verdict = markdown.Split('\n').Single(line => line.StartsWith("| confluent | 1p 2pt 1KiB acks=all none linger=1 @", StringComparison.Ordinal));
        var cells = verdict.Split('|', StringSplitOptions.TrimEntries);
        Assert.InRange(double.Parse(cells[6], CultureInfo.InvariantCulture), 0, Environment.ProcessorCount);
        Assert.Contains(cells[7], new[] { "yes", "**no**" });
    }

    [Fact]
    public async Task Rate_as_a_share_of_the_maximum_runs_the_throughput_scenario_then_the_fixed_rate_one()
    {
        using var dir = new TempDirectory();
        var options = HarnessOptions.Parse(
        [
            "--records", "1000", "--rate", "50%", "--duration", "1", "--acks", "all", "--fsync-every-message", "--linger", "1",
            "--warmup-records", "0", "--skip-limits", "--no-progress", "--out-dir", dir.Path, "--name", "latency",
        ])!;

        var outcome = await HarnessRun.RunAsync(options);

        Assert.Equal(2, outcome.Results.Count);
        var (max, fixedRate) = (outcome.Results[0], outcome.Results[1]);
        Assert.False(max.Scenario.LatencyMode);
        Assert.True(fixedRate.Scenario.LatencyMode);
        Assert.Equal(0.5 * max.ProduceRecordsPerSecond, fixedRate.Scenario.Rate!.Value, 6);
        foreach (var r in outcome.Results)
        {
            Assert.Null(r.Failure);
            Assert.Equal(r.Scenario.Records, r.Acked);
            Assert.Equal(r.Acked, r.Consumed);
        }

        Assert.NotNull(fixedRate.SendDelay);
        Assert.Equal(2, ReadCsv(Path.Combine(dir.Path, "latency.csv")).Count - 1);
    }

    [Fact]
    public async Task Lead_in_records_are_produced_and_read_but_left_out_of_the_figures()
    {
        using var dir = new TempDirectory();
        var options = HarnessOptions.Parse(
        [
            "--rate", "2000", "--duration", "1", "--warmup-seconds", "1", "--partitions", "2", "--linger", "1",
            "--warmup-records", "0", "--skip-limits", "--no-progress", "--out-dir", dir.Path, "--name", "leadin",
            "--slow-acks", Path.Combine(dir.Path, "slow.csv"), "--slow-ack-ms", "0",
        ])!;

        var outcome = await HarnessRun.RunAsync(options);

        var r = Assert.Single(outcome.Results);
        Assert.Null(r.Failure);
        Assert.Equal(2000, r.Scenario.Records);
        Assert.Equal(2000, r.Scenario.LeadInRecords);

        // The window opens at the first measured slot; a lead-in record sent late counts as measured.
        Assert.Equal(4000, r.Acked + r.LeadInAcked);
        Assert.InRange(r.LeadInAcked, 1, 2000);
        Assert.Equal(4000, r.Consumed);
        Assert.True(r.CountsMatch);
        Assert.Equal(r.Acked, r.AckLatency!.Count);
        Assert.Equal(r.Acked, r.EndToEnd!.Count);
        Assert.InRange(r.SendDelay!.Count, 1999, 2001);

        var csv = ReadCsv(Path.Combine(dir.Path, "leadin.csv"));
        var row = csv[0].Zip(csv[1]).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal(r.LeadInAcked.ToString(System.Globalization.CultureInfo.InvariantCulture), row["lead_in_acked"]);
        Assert.Contains("lead-in", await File.ReadAllTextAsync(Path.Combine(dir.Path, "leadin.md")), StringComparison.Ordinal);

        // With a threshold of 0 every measured acknowledgement is slow, and only those are logged.
        var slow = ReadCsv(Path.Combine(dir.Path, "slow.csv"));
        Assert.Equal(["scenario", "sent_ms", "latency_ms", "sent_monotonic_ms"], slow[0]);
        Assert.Equal(r.Acked, slow.Count - 1);
        Assert.All(slow.Skip(1), line =>
        {
            Assert.Equal(r.Scenario.Label, line[0]);
            Assert.True(double.Parse(line[1], System.Globalization.CultureInfo.InvariantCulture) >= 0, $"sent before the window: {line[1]}");
            Assert.True(double.Parse(line[2], System.Globalization.CultureInfo.InvariantCulture) > 0);
        });
    }

    [Fact]
    public async Task Produce_then_consume_against_librdkafkas_mock_cluster()
    {
        using var dir = new TempDirectory();
        var options = HarnessOptions.Parse(
        [
            "--broker", "mock", "--records", "1500", "--producers", "2", "--partitions", "3", "--compression", "lz4", "--consume", "after",
            "--warmup-records", "0", "--skip-limits", "--no-progress", "--out-dir", dir.Path, "--name", "mock",
        ])!;

        var outcome = await HarnessRun.RunAsync(options);

        var result = Assert.Single(outcome.Results);
        Assert.Equal("mock", result.Broker);
        Assert.Equal(1500, result.Acked);
        Assert.Equal(1500, result.Consumed);
        Assert.Null(result.EndToEnd);
        Assert.Equal(0, outcome.ExitCode);
    }

    [Fact]
    public async Task Client_comparison_runs_FastLog_Client_and_Confluent_Kafka_on_the_same_broker()
    {
        using var dir = new TempDirectory();
        var options = HarnessOptions.Parse(
        [
            "--preset", "client", "--records", "1500,500", "--acks", "all", "--compression", "lz4", "--payload", "text",
            "--warmup-records", "100", "--skip-limits", "--no-progress", "--out-dir", dir.Path,
        ])!;

        var outcome = await HarnessRun.RunAsync(options);

        Assert.Equal(4, outcome.Results.Count);
        Assert.Equal(["confluent", "fastlog"], outcome.Results.Select(r => r.Scenario.Client).Distinct().Order().ToList());
        foreach (var r in outcome.Results)
        {
            Assert.Null(r.Failure);
            Assert.Equal(0, r.Errors);
            Assert.Equal(r.Scenario.RecordBytes == 100 ? 1500 : 500, r.Acked);
            Assert.Equal(r.Acked, r.Consumed);
        }

        Assert.Equal(0, outcome.ExitCode);
        string markdown = await File.ReadAllTextAsync(Path.Combine(dir.Path, "client.md"));
        Assert.Contains("## Clients against confluent, same scenario", markdown, StringComparison.Ordinal);
        Assert.Contains("which client goes first alternates from cell to cell", markdown, StringComparison.Ordinal);
        Assert.Contains("64-word vocabulary", markdown, StringComparison.Ordinal);
        Assert.Contains("dotnet run -c Release --project bench/FastLog.Bench -- --preset client", markdown, StringComparison.Ordinal);
        Assert.Equal(5, ReadCsv(Path.Combine(dir.Path, "client.csv")).Count);
    }

    [Fact]
    public async Task FastLog_Client_live_consumer_sees_every_record_from_several_producers()
    {
        using var dir = new TempDirectory();
        var options = HarnessOptions.Parse(
        [
            "--client", "fastlog", "--producers", "2", "--partitions", "4", "--records", "2001", "--record-size", "100",
            "--warmup-records", "0", "--skip-limits", "--no-progress", "--out-dir", dir.Path, "--name", "fastlog",
        ])!;

        var outcome = await HarnessRun.RunAsync(options);

        var result = Assert.Single(outcome.Results);
        Assert.Null(result.Failure);
        Assert.Equal(2001, result.Sent);
        Assert.Equal(2001, result.Acked);
        Assert.Equal(2001, result.Consumed);
        Assert.Equal(2001, result.EndToEnd!.Count);
    }

    /// <summary>Splits the CSV into rows of fields (the harness quotes only fields with commas, quotes or line breaks).</summary>
    private static List<string[]> ReadCsv(string path)
    {
        var rows = new List<string[]>();
        foreach (string line in File.ReadAllText(path).Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = new List<string>();
            var field = new System.Text.StringBuilder();
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }

            fields.Add(field.ToString());
            rows.Add(fields.ToArray());
        }

        return rows;
    }
}
