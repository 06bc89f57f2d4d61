using Confluent.Kafka;
using FastLog.Server.Broker;

namespace FastLog.Server.Tests.Admin;

/// <summary>Starting an in-process broker and Confluent.Kafka clients pointed at it.</summary>
internal static class AdminTestKit
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static Task<FastLogBroker> StartBrokerAsync(IReadOnlyDictionary<string, string>? settings = null) =>
        FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = settings ?? new Dictionary<string, string>() });

    public static IAdminClient Admin(FastLogBroker broker) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers, BrokerAddressFamily = BrokerAddressFamily.V4 }).Build();

    public static IProducer<string, string> Producer(FastLogBroker broker) =>
        new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, BrokerAddressFamily = BrokerAddressFamily.V4, Acks = Acks.All, LingerMs = 0 }).Build();

    public static IConsumer<string, string> Consumer(FastLogBroker broker, AutoOffsetReset reset) =>
        new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            BrokerAddressFamily = BrokerAddressFamily.V4,
            GroupId = "admin-tests-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = reset,
            EnableAutoCommit = false,
        }).Build();

    public static async Task ProduceAsync(FastLogBroker broker, string topic, int count)
    {
        using var producer = Producer(broker);
        for (int i = 0; i < count; i++)
        {
            await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<string, string> { Key = "k" + i, Value = "v" + i });
        }
    }

    public static string[] TopicNames(IAdminClient admin) =>
        [.. admin.GetMetadata(Timeout).Topics.Select(t => t.Topic)];
}
