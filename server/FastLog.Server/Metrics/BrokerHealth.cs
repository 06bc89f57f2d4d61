using System.Buffers;
using System.Text.Json;
using FastLog.Engine.Log;

namespace FastLog.Server.Metrics;

/// <summary>
/// The <c>/health</c> answer: 200 while the broker serves and every log directory is online, 503
/// once it is shutting down or a directory went offline after an I/O error (its partitions answer
/// KAFKA_STORAGE_ERROR, so a load balancer or orchestrator should stop trusting this node).
/// </summary>
/// <remarks>
/// The body is a small JSON object for humans and scripts: status (<c>ok</c>, <c>stopping</c> or
/// <c>log_dir_offline</c>), node id, uptime and directory counts. Which directory is offline is in
/// <c>/metrics</c> (<c>fastlog_log_dir_online</c>); a health check only needs the verdict.
/// </remarks>
internal sealed class BrokerHealth
{
    private readonly LogManager _logs;
    private readonly Func<bool> _stopping;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly int _nodeId;

    public BrokerHealth(int nodeId, LogManager logs, Func<bool> stopping, TimeProvider time, long startTimestamp)
    {
        _nodeId = nodeId;
        _logs = logs;
        _stopping = stopping;
        _time = time;
        _startTimestamp = startTimestamp;
    }

    public HttpAnswer Answer()
    {
        int offline = _logs.LogDirectories.Count(d => d.IsOffline);
        int online = _logs.LogDirectories.Count - offline;
        string status = _stopping() ? "stopping" : offline > 0 ? "log_dir_offline" : "ok";
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("status", status);
            json.WriteNumber("node_id", _nodeId);
            json.WriteNumber("uptime_seconds", Math.Round(_time.GetElapsedTime(_startTimestamp).TotalSeconds, 3));
            json.WriteNumber("log_dirs_online", online);
            json.WriteNumber("log_dirs_offline", offline);
            json.WriteEndObject();
        }

        return new HttpAnswer(status == "ok" ? 200 : 503, "application/json", [.. body.WrittenSpan, (byte)'\n']);
    }
}
