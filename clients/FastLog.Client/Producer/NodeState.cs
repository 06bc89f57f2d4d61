namespace FastLog.Client.Producer;

/// <summary>
/// The sender's view of one broker: its connection (or the attempt to open one), the produce requests in flight to
/// it, and the batches collected for its next request. Only the sender loop reads and writes it, except
/// <see cref="InFlight"/>, which response handling decrements.
/// </summary>
internal sealed class NodeState
{
    private int _inFlight;

    public NodeState(int nodeId)
    {
        NodeId = nodeId;
    }

    public int NodeId { get; }

    public KafkaConnection? Connection { get; set; }

    public Task<KafkaConnection>? Connecting { get; set; }

    /// <summary>No new connection attempt before this tick.</summary>
    public long BackoffUntilTicks { get; set; }

    /// <summary>Produce requests sent and not yet answered.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Batches drained for the next request.</summary>
    public List<ProducerBatch> Pending { get; } = [];

    /// <summary>Estimated bytes of <see cref="Pending"/>, against <c>max.request.size</c>.</summary>
    public int PendingBytes { get; set; }

    /// <summary>
    /// The handling of the last request sent: each request's handling waits for the previous one's, so batches of a
    /// partition complete in the order they were sent even though responses are processed on pool threads.
    /// </summary>
    public Task LastHandled { get; set; } = Task.CompletedTask;

    public void RequestSent() => Interlocked.Increment(ref _inFlight);

    public void RequestDone() => Interlocked.Decrement(ref _inFlight);
}
