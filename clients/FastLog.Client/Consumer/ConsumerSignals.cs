namespace FastLog.Client.Consumer;

/// <summary>
/// How background work gets the consuming thread's attention without costing the hot path anything but one
/// volatile read per record: anything that needs the consuming thread (a rebalance step, a due auto-commit, an
/// error to report, a seek, closing) bumps <see cref="Version"/>; the record loop compares it with the value it
/// last saw and drops to its slow path when they differ. <see cref="ReaderWake"/> wakes a consuming thread that is
/// waiting for data.
/// </summary>
internal sealed class ConsumerSignals
{
    private int _version;

    public int Version => Volatile.Read(ref _version);

    public AsyncSignal ReaderWake { get; } = new();

    public void Raise()
    {
        Interlocked.Increment(ref _version);
        ReaderWake.Set();
    }
}
