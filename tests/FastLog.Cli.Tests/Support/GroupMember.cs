using Confluent.Kafka;

namespace FastLog.Cli.Tests.Support;

/// <summary>A Confluent.Kafka group consumer on its own thread; disposing it leaves the group cleanly.</summary>
internal sealed class GroupMember : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private volatile int[] _assigned = [];

    public GroupMember(string bootstrap, string group, string topic, string clientId)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            ClientId = clientId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 300,
        };
        _thread = new Thread(() => Run(config, topic)) { IsBackground = true };
        _thread.Start();
    }

    public IReadOnlyList<int> Assigned => _assigned;

    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            _stop.Cancel();
            Assert.True(_thread.Join(Cli.HangGuard), "the consumer thread did not stop");
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
                consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException)
            {
                // Transient (e.g. a rebalance); the loop goes on.
            }
        }

        consumer.Close();
    }
}
