using System.Net;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;
using FastLog.Server.Configuration;
using FastLog.Server.Tests.Admin;
using FastLog.Server.Tests.Support;

namespace FastLog.Server.Tests.Metrics;

/// <summary>
/// The metrics endpoint of a real in-process broker, driven by Confluent.Kafka and hand-built
/// requests and scraped over HTTP. Every scrape is parsed by the strict <see cref="Exposition"/>
/// reader, so each test also checks that the output is well-formed; values are compared with what
/// the test itself produced and committed. Nothing here asserts on durations.
/// </summary>
public sealed class MetricsEndpointTests
{
    private const string Produce = "Produce";

    [Fact]
    public async Task Produce_moves_the_request_counters_messages_in_partition_offsets_and_fsync_count()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using (var admin = AdminTestKit.Admin(broker))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "metered", NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        var before = await MetricsScraper.ScrapeAsync(broker);
        await AdminTestKit.ProduceAsync(broker, "metered", 10); // acks=all: each answer waits for an fsync
        var after = await MetricsScraper.ScrapeAsync(broker);

        Assert.True(after.Value("fastlog_requests_total", ("api", Produce)) > before.Value("fastlog_requests_total", ("api", Produce)));
        Assert.True(after.Value("fastlog_request_duration_seconds_count", ("api", Produce)) >= 1);
        Assert.Equal(0, after.Value("fastlog_request_errors_total", ("api", Produce)));
        Assert.Equal(10, after.Value("fastlog_topic_messages_in_total", ("topic", "metered")));
        Assert.True(after.Value("fastlog_topic_bytes_in_total", ("topic", "metered")) > 0);

        (string, string)[] partition = [("topic", "metered"), ("partition", "0")];
        Assert.Equal(10, after.Value("fastlog_partition_log_end_offset", partition));
        Assert.Equal(10, after.Value("fastlog_partition_high_watermark", partition));
        Assert.Equal(0, after.Value("fastlog_partition_log_start_offset", partition));
        Assert.True(after.Value("fastlog_partition_log_size_bytes", partition) > 0);

        Assert.True(after.Value("fastlog_log_flush_duration_seconds_count") > before.Value("fastlog_log_flush_duration_seconds_count"));

        // Ten small acks=all syncs on a new segment: the first ones prepare its tail.
        Assert.True(after.Value("fastlog_log_preallocate_duration_seconds_count") > before.Value("fastlog_log_preallocate_duration_seconds_count"));
        Assert.Equal(0, after.Value("fastlog_log_flush_errors_total"));
        Assert.True(after.Value("fastlog_network_received_bytes_total") > before.Value("fastlog_network_received_bytes_total"));
        Assert.True(after.Value("fastlog_network_sent_bytes_total") > before.Value("fastlog_network_sent_bytes_total"));
        Assert.True(after.Value("fastlog_connections_accepted_total") >= 1);
        Assert.Equal(1, Assert.Single(after.Named("fastlog_log_dir_online")).Value);
    }

    [Fact]
    public async Task A_flush_policy_fsync_is_counted_when_no_producer_waits_for_it()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync(new Dictionary<string, string> { ["log.flush.interval.messages"] = "1" });
        using (var admin = AdminTestKit.Admin(broker))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "flushed", NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        double before = (await MetricsScraper.ScrapeAsync(broker)).Value("fastlog_log_flush_duration_seconds_count");
        var config = new ProducerConfig { BootstrapServers = broker.BootstrapServers, BrokerAddressFamily = BrokerAddressFamily.V4, Acks = Acks.Leader, LingerMs = 0 };
        using (var producer = new ProducerBuilder<string, string>(config).Build())
        {
            await producer.ProduceAsync(new Confluent.Kafka.TopicPartition("flushed", 0), new Message<string, string> { Key = "k", Value = "v" });
        }

        // acks=1 is answered from the page cache; the policy's fsync follows on the flusher thread.
        var after = await MetricsScraper.ScrapeUntilAsync(broker, e => e.Value("fastlog_log_flush_duration_seconds_count") > before);
        Assert.True(after.Value("fastlog_log_flush_duration_seconds_count") > before);
        Assert.Equal(1, after.Value("fastlog_topic_messages_in_total", ("topic", "flushed")));
    }

    [Fact]
    public async Task Group_lag_is_the_high_watermark_minus_the_committed_offset()
    {
        // Quotes and backslashes in a group id must come out escaped (the reader unescapes them).
        const string group = "lag \"quoted\" \\ group";
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using (var admin = AdminTestKit.Admin(broker))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "lagged", NumPartitions = 2, ReplicationFactor = 1 }]);
        }

        await AdminTestKit.ProduceAsync(broker, "lagged", 10);
        using (var client = await WireClient.ConnectAsync(broker.LocalEndPoint))
        {
            var commit = new OffsetCommitRequest
            {
                GroupId = group,
                Topics =
                [
                    new OffsetCommitRequest.OffsetCommitRequestTopic
                    {
                        Name = "lagged",
                        Partitions =
                        [
                            new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 3 },
                            new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 1, CommittedOffset = 0 },
                        ],
                    },
                ],
            };
            var response = await client.SendAsync<OffsetCommitResponse>(commit, 8);
            Assert.All(response.Topics.Single().Partitions, p => Assert.Equal(0, p.ErrorCode));
        }

        var metrics = await MetricsScraper.ScrapeAsync(broker);
        (string, string)[] first = [("group", group), ("topic", "lagged"), ("partition", "0")];
        double end = metrics.Value("fastlog_partition_high_watermark", ("topic", "lagged"), ("partition", "0"));
        Assert.Equal(10, end);
        Assert.Equal(3, metrics.Value("fastlog_consumer_group_committed_offset", first));
        Assert.Equal(end - 3, metrics.Value("fastlog_consumer_group_lag", first));
        Assert.Equal(0, metrics.Value("fastlog_consumer_group_lag", ("group", group), ("topic", "lagged"), ("partition", "1")));
        Assert.Equal(1, metrics.Value("fastlog_requests_total", ("api", "OffsetCommit")));
    }

    [Fact]
    public async Task Health_answers_200_with_a_json_status_and_other_paths_and_methods_are_refused()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();

        var health = await MetricsScraper.SendAsync(broker, HttpMethod.Get, "/health");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("application/json", health.ContentType);
        using (var json = JsonDocument.Parse(health.Body))
        {
            Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
            Assert.Equal(broker.Config.NodeId, json.RootElement.GetProperty("node_id").GetInt32());
            Assert.True(json.RootElement.GetProperty("uptime_seconds").GetDouble() >= 0);
            Assert.Equal(1, json.RootElement.GetProperty("log_dirs_online").GetInt32());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await MetricsScraper.SendAsync(broker, HttpMethod.Get, "/nothing-here")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await MetricsScraper.SendAsync(broker, HttpMethod.Get, "/metrics/extra")).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await MetricsScraper.SendAsync(broker, HttpMethod.Post, "/metrics")).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await MetricsScraper.SendAsync(broker, HttpMethod.Delete, "/health")).Status);
        Assert.Equal(HttpStatusCode.OK, (await MetricsScraper.SendAsync(broker, HttpMethod.Get, "/metrics?name[]=x")).Status);
    }

    [Fact]
    public async Task Every_family_has_help_and_type_and_every_served_api_is_exposed_from_zero()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();

        var metrics = await MetricsScraper.ScrapeAsync(broker);

        Assert.NotEmpty(metrics.Samples);
        Assert.All(metrics.FamilyTypes.Keys, name =>
        {
            Assert.StartsWith("fastlog_", name, StringComparison.Ordinal);
            Assert.True(metrics.Helps.ContainsKey(name), $"{name} has no HELP");
        });
        Assert.All(metrics.FamilyTypes.Where(f => f.Value == "counter"), f => Assert.EndsWith("_total", f.Key, StringComparison.Ordinal));
        Assert.Equal(0, metrics.Value("fastlog_requests_total", ("api", "DeleteRecords")));
        Assert.Equal(0, metrics.Value("fastlog_request_duration_seconds_count", ("api", "Fetch")));
        Assert.DoesNotContain(metrics.Named("fastlog_requests_total"), s => s.Labels["api"] == "LeaderAndIsr"); // not served by this broker
        Assert.Equal(0, metrics.Value("fastlog_connections_active"));
    }

    [Fact]
    public async Task An_empty_metrics_listener_serves_nothing_and_a_taken_port_stops_start_up_naming_the_setting()
    {
        await using (var disabled = await AdminTestKit.StartBrokerAsync(new Dictionary<string, string> { ["metrics.listener"] = "" }))
        {
            Assert.Null(disabled.MetricsEndPoint);
        }

        await using var first = await AdminTestKit.StartBrokerAsync();
        var taken = first.MetricsEndPoint!;
        var error = await Assert.ThrowsAsync<BrokerConfigException>(() =>
            AdminTestKit.StartBrokerAsync(new Dictionary<string, string> { ["metrics.listener"] = $"{taken.Address}:{taken.Port}" }));
        Assert.Contains("metrics.listener", error.Message, StringComparison.Ordinal);
    }
}
