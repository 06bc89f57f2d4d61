using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Tests.Producer;

/// <summary>Collects client log lines so a failing test can show what the producer did.</summary>
internal sealed class ListLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public string Tail(int count = 60) => string.Join('\n', Lines.TakeLast(count));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ListLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.Lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            while (owner.Lines.Count > 2000)
            {
                owner.Lines.TryDequeue(out _);
            }
        }
    }
}
