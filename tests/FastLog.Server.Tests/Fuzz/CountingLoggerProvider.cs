using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FastLog.Server.Tests.Fuzz;

/// <summary>One captured log line.</summary>
internal sealed record CapturedLogEntry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception, long? ConnectionId);

/// <summary>
/// Captures every log line of a broker (all levels) so a test can count them per level, per event and
/// per connection, and look at the exceptions that were logged.
/// </summary>
internal sealed class CountingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private const int MaxKeptEntries = 200_000;
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public IReadOnlyCollection<CapturedLogEntry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new CountingLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private void Add(CapturedLogEntry entry)
    {
        if (Interlocked.Increment(ref _total) <= MaxKeptEntries)
        {
            _entries.Enqueue(entry);
        }
    }

    private sealed class CountingLogger(CountingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            long? connectionId = null;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key == "Connection" && value is FastLog.Server.Network.ConnectionContext connection)
                    {
                        connectionId = connection.Id;
                    }
                }
            }

            owner.Add(new CapturedLogEntry(category, logLevel, eventId.Id, formatter(state, exception), exception, connectionId));
        }
    }
}
