using FastLog.Engine.Log;

namespace FastLog.Engine.Cleaning;

/// <summary>
/// The background cleaner of a <see cref="LogManager"/>: every <c>log.cleaner.backoff.ms</c> it runs
/// one pass over each compacted log (see <see cref="LogCleaner"/>), and retention over the
/// compact,delete ones. Driven by a <see cref="TimeProvider"/> timer, so tests advance fake time
/// instead of sleeping, or call <see cref="RunOnce"/> directly.
/// </summary>
/// <remarks>
/// Passes never overlap (one timer, re-armed only after a pass ends, and a lock shared with
/// <see cref="RunOnce"/>), so a log is only ever cleaned by one thread. A failure in one log (an
/// I/O error takes that log offline; a log closed mid-pass) is recorded and the pass moves on.
/// </remarks>
public sealed class LogCleanerService : IDisposable
{
    /// <summary>Kafka's log.cleaner.backoff.ms default.</summary>
    public static readonly TimeSpan DefaultBackoff = TimeSpan.FromSeconds(15);

    private readonly LogManager _manager;
    private readonly TimeSpan _backoff;
    private readonly LogCleaner _cleaner;
    private readonly Lock _passLock = new();
    private ITimer? _timer;
    private bool _disposed;

    public LogCleanerService(LogManager manager, TimeProvider time, TimeSpan? backoff = null, long mapMemoryBytes = LogCleaner.DefaultMapMemoryBytes)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(time);
        _manager = manager;
        Time = time;
        _backoff = backoff ?? DefaultBackoff;
        _cleaner = new LogCleaner(time, mapMemoryBytes);
    }

    public TimeProvider Time { get; }

    /// <summary>The last error a pass met (for metrics and tests), or null.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Passes completed.</summary>
    public long Passes { get; private set; }

    /// <summary>Starts the periodic passes.</summary>
    public void Start()
    {
        lock (_passLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _timer ??= Time.CreateTimer(static state => ((LogCleanerService)state!).OnTimer(), this, _backoff, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Runs one pass over every compacted log on the calling thread; returns the total of what it did.</summary>
    public CleanResult RunOnce()
    {
        lock (_passLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int swapped = 0;
            long read = 0;
            long written = 0;
            long removed = 0;
            bool cleaned = false;
            foreach (var log in _manager.Logs)
            {
                var config = log.Config;
                if (!config.IsCompacted || log.IsOffline)
                {
                    continue;
                }

                try
                {
                    var result = _cleaner.Clean(log);
                    cleaned |= result.Cleaned;
                    swapped += result.SegmentsSwapped;
                    read += result.BytesRead;
                    written += result.BytesWritten;
                    removed += result.RecordsRemoved;
                    if (config.IsDeleteRetained)
                    {
                        log.DeleteRetainedSegments();
                    }
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
                {
                    LastError = e;
                }
            }

            Passes++;
            return new CleanResult(cleaned, 0, swapped, read, written, removed);
        }
    }

    public void Dispose()
    {
        lock (_passLock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            _cleaner.Dispose();
        }
    }

    private void OnTimer()
    {
        try
        {
            RunOnce();
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        lock (_passLock)
        {
            if (!_disposed)
            {
                _timer?.Change(_backoff, Timeout.InfiniteTimeSpan);
            }
        }
    }
}
