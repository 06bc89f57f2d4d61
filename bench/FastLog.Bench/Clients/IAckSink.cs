namespace FastLog.Bench.Clients;

/// <summary>
/// Receives produce acknowledgements. An adapter calls it once per record sent, with the
/// <c>sendTicks</c> the record was sent with, on whatever thread its client reports on; the harness
/// keeps its own locking.
/// </summary>
internal interface IAckSink
{
    /// <param name="sendTicks">The <see cref="System.Diagnostics.Stopwatch"/> timestamp given to <see cref="IBenchProducer.Send"/>.</param>
    /// <param name="error">Null when the broker acknowledged the record; otherwise why it failed.</param>
    void OnAck(long sendTicks, string? error);
}
