namespace FastLog.Bench.Clients;

/// <summary>A Kafka client library under test: makes producers and consumers with the harness's settings.</summary>
internal interface IBenchClient
{
    /// <summary>Short name for tables and file names: <c>confluent</c>, <c>fastlog</c>.</summary>
    string Name { get; }

    /// <summary>The library and version, and the settings it runs with beyond <see cref="ProducerSettings"/>.</summary>
    string Describe();

    IBenchProducer CreateProducer(ProducerSettings settings, IAckSink acks);

    IBenchConsumer CreateConsumer(ConsumerSettings settings);
}
