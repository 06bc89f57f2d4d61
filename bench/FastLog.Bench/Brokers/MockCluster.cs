using Confluent.Kafka;

namespace FastLog.Bench.Brokers;

/// <summary>
/// librdkafka's in-memory mock cluster: a client created with <c>test.mock.num.brokers=1</c> hosts
/// one mock broker on a loopback port (inside this process, on librdkafka's own threads). Other
/// clients reach it through the address its metadata gives. It keeps every record in memory and
/// answers acks=all like acks=1: the ceiling of this client on this machine.
/// </summary>
internal sealed class MockCluster : IDisposable
{
    private readonly IProducer<Null, Null> _host;

    public MockCluster()
    {
        var config = new ProducerConfig();
        config.Set("test.mock.num.brokers", "1");
        _host = new ProducerBuilder<Null, Null>(config).Build();
        using var admin = new DependentAdminClientBuilder(_host.Handle).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        var broker = metadata.Brokers.FirstOrDefault()
            ?? throw new InvalidOperationException("the mock cluster reported no broker");
        Bootstrap = $"{broker.Host}:{broker.Port}";
    }

    public string Bootstrap { get; }

    public void Dispose() => _host.Dispose();
}
