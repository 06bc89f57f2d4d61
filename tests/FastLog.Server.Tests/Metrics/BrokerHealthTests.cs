using System.Text;
using System.Text.Json;
using FastLog.Engine.Log;
using FastLog.Server.Metrics;

namespace FastLog.Server.Tests.Metrics;

/// <summary>
/// The /health verdict without a broker around it: a real log manager whose directory is taken
/// away (the next checkpoint fails and takes it offline, as any I/O error would), and a stopping flag.
/// </summary>
public sealed class BrokerHealthTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "fastlog-health-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Healthy_until_stopping()
    {
        using var logs = LogManager.Open(new LogManagerOptions { LogDirs = [_directory] });
        bool stopping = false;
        var health = new BrokerHealth(7, logs, () => stopping, TimeProvider.System, TimeProvider.System.GetTimestamp());

        var ok = health.Answer();
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("ok", Status(ok));

        stopping = true;
        var stopped = health.Answer();
        Assert.Equal(503, stopped.StatusCode);
        Assert.Equal("stopping", Status(stopped));
    }

    [Fact]
    public void An_offline_log_directory_makes_the_broker_unhealthy()
    {
        using var logs = LogManager.Open(new LogManagerOptions { LogDirs = [_directory] });
        var health = new BrokerHealth(7, logs, () => false, TimeProvider.System, TimeProvider.System.GetTimestamp());
        Directory.Delete(_directory, recursive: true);

        logs.CheckpointAll();

        Assert.True(logs.LogDirectories[0].IsOffline);
        var answer = health.Answer();
        Assert.Equal(503, answer.StatusCode);
        using var json = JsonDocument.Parse(answer.Body);
        Assert.Equal("log_dir_offline", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(7, json.RootElement.GetProperty("node_id").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("log_dirs_offline").GetInt32());
    }

    private static string? Status(HttpAnswer answer)
    {
        Assert.Equal("application/json", answer.ContentType);
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(answer.Body));
        return json.RootElement.GetProperty("status").GetString();
    }
}
