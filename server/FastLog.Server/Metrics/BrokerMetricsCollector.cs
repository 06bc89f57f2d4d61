using System.Globalization;
using System.Text;
using FastLog.Engine.Log;
using FastLog.Server.Broker;
using FastLog.Server.Coordinator;
using FastLog.Server.Network;

namespace FastLog.Server.Metrics;

/// <summary>
/// Builds the <c>/metrics</c> exposition: the counters the request, network and produce paths keep,
/// plus gauges computed now by walking the partitions, the consumer groups and the log directories.
/// </summary>
/// <remarks>
/// <para>Why scrape-time gauges: sizes, offsets and lag change with every append, and partitions and
/// groups come and go. Reading them when asked costs the hot paths nothing and never leaves a
/// series behind for a deleted topic or group.</para>
/// <para>Why no metrics library: the hot-path counters are plain <see cref="Interlocked"/> fields in
/// arrays indexed by API key, which no library makes cheaper, and a library's registry would have to
/// be told about every partition and group as they appear and disappear; its process-wide default
/// registry would also mix the series of several brokers embedded in one test process. The text
/// format is a page of code (<see cref="PrometheusTextWriter"/>).</para>
/// <para>Consistency: each value is read atomically, but a scrape is not one instant; a lag computed
/// while a producer appends may be a record stale, as in Kafka's own tools.</para>
/// </remarks>
internal sealed class BrokerMetricsCollector
{
    private const string ApiLabel = "api";

    private readonly RequestMetrics _requests;
    private readonly FlushMetrics _flushes;
    private readonly KafkaListener _listener;
    private readonly PartitionManager _partitions;
    private readonly GroupCoordinator _groups;
    private readonly LogManager _logs;
    private readonly double _startTimeSeconds;

    public BrokerMetricsCollector(RequestMetrics requests, FlushMetrics flushes, KafkaListener listener, PartitionManager partitions, GroupCoordinator groups, LogManager logs, DateTimeOffset startTime)
    {
        _requests = requests;
        _flushes = flushes;
        _listener = listener;
        _partitions = partitions;
        _groups = groups;
        _logs = logs;
        _startTimeSeconds = startTime.ToUnixTimeMilliseconds() / 1000.0;
    }

    public HttpAnswer Answer() => new(200, PrometheusTextWriter.ContentType, Encoding.UTF8.GetBytes(Collect()));

    public string Collect()
    {
        var writer = new PrometheusTextWriter();
        writer.Family("fastlog_broker_start_time_seconds", "gauge", "When this broker started, in seconds since the Unix epoch.");
        writer.Sample("fastlog_broker_start_time_seconds", _startTimeSeconds);
        WriteRequests(writer);
        WriteNetwork(writer);
        var partitions = _partitions.All.OrderBy(p => p.TopicPartition.Topic, StringComparer.Ordinal).ThenBy(p => p.TopicPartition.Partition).ToList();
        WriteTopics(writer, partitions);
        WritePartitions(writer, partitions);
        WriteGroups(writer);
        WriteStorage(writer);
        return writer.ToString();
    }

    private void WriteRequests(PrometheusTextWriter writer)
    {
        var apis = _requests.All.Where(a => a.Served || a.Requests > 0).ToList();
        writer.Family("fastlog_requests_total", "counter", "Kafka requests received, by API.");
        foreach (var api in apis)
        {
            writer.Sample("fastlog_requests_total", api.Requests, (ApiLabel, api.Label));
        }

        writer.Family("fastlog_request_errors_total", "counter", "Kafka requests that failed without an answer (unreadable, unsupported version, handler failure), by API; error codes inside answers are not counted.");
        foreach (var api in apis)
        {
            writer.Sample("fastlog_request_errors_total", api.Errors, (ApiLabel, api.Label));
        }

        writer.Family("fastlog_request_duration_seconds", "histogram", "Time from a request's dispatch until its answer was ready, by API (long polls and rebalances included).");
        foreach (var api in apis)
        {
            writer.Histogram("fastlog_request_duration_seconds", api.Duration.Snapshot(), (ApiLabel, api.Label));
        }
    }

    private void WriteNetwork(PrometheusTextWriter writer)
    {
        var counters = _listener.Counters;
        writer.Family("fastlog_network_received_bytes_total", "counter", "Bytes of Kafka request frames received, size prefixes included.");
        writer.Sample("fastlog_network_received_bytes_total", counters.BytesReceived);
        writer.Family("fastlog_network_sent_bytes_total", "counter", "Bytes of Kafka response frames sent, size prefixes and record data sent from files included.");
        writer.Sample("fastlog_network_sent_bytes_total", counters.BytesSent);
        writer.Family("fastlog_connections_active", "gauge", "Kafka client connections open now.");
        writer.Sample("fastlog_connections_active", (long)_listener.ConnectionCount);
        writer.Family("fastlog_connections_accepted_total", "counter", "Kafka client connections accepted.");
        writer.Sample("fastlog_connections_accepted_total", counters.ConnectionsAccepted);
    }

    private static void WriteTopics(PrometheusTextWriter writer, List<PartitionState> partitions)
    {
        var topics = partitions
            .GroupBy(p => p.TopicPartition.Topic, StringComparer.Ordinal)
            .Select(g => (Topic: g.Key, Messages: g.Sum(p => p.MessagesIn), Bytes: g.Sum(p => p.BytesIn)))
            .ToList();
        writer.Family("fastlog_topic_messages_in_total", "counter", "Records appended to the topic by Produce requests since the broker started.");
        foreach (var topic in topics)
        {
            writer.Sample("fastlog_topic_messages_in_total", topic.Messages, ("topic", topic.Topic));
        }

        writer.Family("fastlog_topic_bytes_in_total", "counter", "Record batch bytes appended to the topic by Produce requests since the broker started.");
        foreach (var topic in topics)
        {
            writer.Sample("fastlog_topic_bytes_in_total", topic.Bytes, ("topic", topic.Topic));
        }
    }

    private static void WritePartitions(PrometheusTextWriter writer, List<PartitionState> partitions)
    {
        var rows = partitions.Select(p => (
            p.TopicPartition.Topic,
            Partition: p.TopicPartition.Partition.ToString(CultureInfo.InvariantCulture),
            p.Log)).ToList();
        WritePartitionGauge(writer, rows, "fastlog_partition_log_size_bytes", "Bytes of the partition's segment files.", log => log.SizeBytes);
        WritePartitionGauge(writer, rows, "fastlog_partition_log_start_offset", "The partition's first offset (log start offset).", log => log.LogStartOffset);
        WritePartitionGauge(writer, rows, "fastlog_partition_log_end_offset", "The offset the partition's next record will get (log end offset).", log => log.LogEndOffset);
        WritePartitionGauge(writer, rows, "fastlog_partition_high_watermark", "The partition's high watermark: consumers read up to here.", log => log.HighWatermark);
    }

    private static void WritePartitionGauge(PrometheusTextWriter writer, List<(string Topic, string Partition, PartitionLog Log)> rows, string name, string help, Func<PartitionLog, long> value)
    {
        writer.Family(name, "gauge", help);
        foreach (var (topic, partition, log) in rows)
        {
            writer.Sample(name, value(log), ("topic", topic), ("partition", partition));
        }
    }

    private void WriteGroups(PrometheusTextWriter writer)
    {
        var rows = new List<(string Group, string Topic, string Partition, PartitionLag Lag)>();
        foreach (var group in _groups.ListGroups())
        {
            foreach (var lag in _groups.GetLag(group.GroupId))
            {
                // A committed offset of a partition this broker does not have: no end to compare with.
                if (lag.LogEndOffset >= 0)
                {
                    rows.Add((group.GroupId, lag.Topic, lag.Partition.ToString(CultureInfo.InvariantCulture), lag));
                }
            }
        }

        writer.Family("fastlog_consumer_group_committed_offset", "gauge", "The group's committed offset for the partition.");
        foreach (var (group, topic, partition, lag) in rows)
        {
            writer.Sample("fastlog_consumer_group_committed_offset", lag.CommittedOffset, ("group", group), ("topic", topic), ("partition", partition));
        }

        writer.Family("fastlog_consumer_group_lag", "gauge", "Records between the group's committed offset and the partition's high watermark.");
        foreach (var (group, topic, partition, lag) in rows)
        {
            writer.Sample("fastlog_consumer_group_lag", lag.Lag, ("group", group), ("topic", topic), ("partition", partition));
        }
    }

    private void WriteStorage(PrometheusTextWriter writer)
    {
        writer.Family("fastlog_log_flush_duration_seconds", "histogram", "Duration of the group committers' fsyncs of partition logs; the count is the number of fsyncs.");
        writer.Histogram("fastlog_log_flush_duration_seconds", _flushes.Duration.Snapshot());
        writer.Family("fastlog_log_preallocate_duration_seconds", "histogram", "Duration of the syncs that zero-fill an active segment's tail ahead of small acks=all syncs (log.preallocate.step.bytes); they answer no request but occupy a flusher and the disk. The count is the number of such syncs.");
        writer.Histogram("fastlog_log_preallocate_duration_seconds", _flushes.PreparationDuration.Snapshot());
        writer.Family("fastlog_log_flush_errors_total", "counter", "Fsyncs that failed, preallocation syncs included (the partition's directory goes offline).");
        writer.Sample("fastlog_log_flush_errors_total", _flushes.Errors);
        writer.Family("fastlog_log_dir_online", "gauge", "1 while the log directory serves, 0 after an I/O error took it offline.");
        foreach (var directory in _logs.LogDirectories)
        {
            writer.Sample("fastlog_log_dir_online", directory.IsOffline ? 0L : 1L, ("log_dir", directory.Path));
        }
    }
}
