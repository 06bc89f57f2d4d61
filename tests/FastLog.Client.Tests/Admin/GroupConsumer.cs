using System.Collections.Concurrent;
using Confluent.Kafka;

namespace FastLog.Client.Tests.Admin;

/// <summary>A Confluent.Kafka group consumer on its own thread that records what it reads and what it is assigned.</summary>
internal sealed class GroupConsumer : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly ConcurrentQueue<(int Partition, long Offset)> _records = new();
    private volatile int[] _assigned = [];

    public GroupConsumer(string bootstrap, string group, string topic, string clientId = "admin-test-consumer", bool autoCommit = true)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            ClientId = clientId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = autoCommit,
            AutoCommitIntervalMs = 100,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 300,
        };
        _thread = new Thread(() => Run(config, topic)) { IsBackground = true };
        _thread.Start();
    }

    public IReadOnlyList<(int Partition, long Offset)> Records => [.. _records];

    public IReadOnlyList<int> Assigned => _assigned;

    /// <summary>Leaves the group cleanly (LeaveGroup), so the group becomes empty at once.</summary>
    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            _stop.Cancel();
            Assert.True(_thread.Join(AdminTestKit.HangGuard), "the consumer thread did not stop");
        }

        _stop.Dispose();
    }

    private void Run(ConsumerConfig config, string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(config)
            .SetPartitionsAssignedHandler((_, partitions) => _assigned = [.. partitions.Select(p => p.Partition.Value).Order()])
            .SetPartitionsRevokedHandler((_, _) => _assigned = [])
            .Build();
        consumer.Subscribe(topic);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message: not null } result)
                {
                    _records.Enqueue((result.Partition.Value, result.Offset.Value));
                }
            }
            catch (ConsumeException)
            {
                // Transient (e.g. a rebalance); the loop goes on.
            }
        }

        consumer.Close();
    }
}
