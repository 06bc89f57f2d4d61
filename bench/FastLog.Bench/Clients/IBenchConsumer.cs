namespace FastLog.Bench.Clients;

/// <summary>
/// The harness's view of a consumer: every partition of one topic assigned from offset 0 (no
/// group, no commits), polled from one thread.
/// </summary>
internal interface IBenchConsumer : IDisposable
{
    /// <summary>Waits up to <paramref name="timeout"/> for records and hands each to <paramref name="sink"/>; returns how many.</summary>
    int Poll(TimeSpan timeout, IRecordSink sink);
}
