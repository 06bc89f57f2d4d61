namespace FastLog.Bench.Clients;

/// <summary>
/// The harness's view of a producer: send one record to one partition and be told when it is
/// acknowledged. The smallest surface both Confluent.Kafka and FastLog.Client can offer without
/// adapter work on the hot path: the value is copied before <see cref="Send"/> returns, so the
/// caller reuses one buffer; acknowledgements go to the <see cref="IAckSink"/> given
/// at creation. One instance is driven by one thread.
/// </summary>
internal interface IBenchProducer : IDisposable
{
    /// <summary>
    /// Queues one record (null key). Blocks while the client's queue is full, which is the harness's
    /// back-pressure in throughput mode. The value is copied before this returns.
    /// </summary>
    void Send(int partition, byte[] value, long sendTicks);

    /// <summary>Waits until every record sent so far is acknowledged (or failed); false on timeout.</summary>
    bool Flush(TimeSpan timeout);
}
