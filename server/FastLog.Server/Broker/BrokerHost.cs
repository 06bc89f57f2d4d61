using System.Net.Sockets;
using System.Runtime.InteropServices;
using FastLog.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace FastLog.Server.Broker;

/// <summary>
/// Runs a broker the way the standalone executable does: settings from defaults, an optional
/// <c>server.properties</c>, <c>FASTLOG_*</c> environment variables and <c>--override key=value</c> (rising
/// precedence); start; serve until stopped; stop cleanly. Shared by the <c>FastLog.Broker</c> executable and the
/// <c>fastlog broker start</c> command so both start exactly the same broker.
/// </summary>
public static class BrokerHost
{
    /// <summary>The command-line shape both hosts accept after their own command name.</summary>
    public const string Usage = "[server.properties] [--override key=value]...";

    /// <summary>Exit code after a clean stop.</summary>
    public const int ExitStopped = 0;

    /// <summary>Exit code when the broker could not start (a port in use, an unreadable data directory).</summary>
    public const int ExitStartFailed = 1;

    /// <summary>Exit code for an unknown or invalid setting.</summary>
    public const int ExitConfigError = 2;

    /// <summary>
    /// Loads the settings, starts the broker and serves until <paramref name="stop"/> is cancelled (or, with
    /// <see cref="BrokerHostOptions.HandleSignals"/>, SIGTERM or SIGINT arrives), then stops it cleanly: in-flight
    /// requests answered, logs flushed, the clean-shutdown marker written.
    /// </summary>
    /// <returns><see cref="ExitStopped"/>, <see cref="ExitStartFailed"/> or <see cref="ExitConfigError"/>; problems are written to <see cref="BrokerHostOptions.Error"/>.</returns>
    public static async Task<int> RunAsync(BrokerHostOptions options, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(options);
        BrokerConfig config;
        try
        {
            config = BrokerConfig.Load(options.PropertiesFile, options.Environment ?? ProcessEnvironment(), options.Overrides);
        }
        catch (BrokerConfigException e)
        {
            await options.Error.WriteLineAsync($"configuration error: {e.Message}").ConfigureAwait(false);
            return ExitConfigError;
        }

        FastLogBroker broker;
        try
        {
            broker = FastLogBroker.Start(config, TimeProvider.System, options.LoggerFactory);
        }
        catch (Exception e) when (e is BrokerConfigException or IOException or SocketException or UnauthorizedAccessException)
        {
            await options.Error.WriteLineAsync($"start-up failed: {e.Message}").ConfigureAwait(false);
            return ExitStartFailed;
        }

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using PosixSignalRegistration? sigterm = options.HandleSignals ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop) : null;
        using PosixSignalRegistration? sigint = options.HandleSignals ? PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop) : null;
        await using (stop.Register(() => stopped.TrySetResult()).ConfigureAwait(false))
        {
            options.Started?.Invoke(broker);
            await stopped.Task.ConfigureAwait(false);
        }

        await options.Output.WriteLineAsync("FastLog shutting down").ConfigureAwait(false);
        await broker.DisposeAsync().ConfigureAwait(false);
        return ExitStopped;

        void Stop(PosixSignalContext context)
        {
            // Keep the process alive until the broker has stopped cleanly.
            context.Cancel = true;
            stopped.TrySetResult();
        }
    }

    private static IEnumerable<KeyValuePair<string, string?>> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .Select(e => KeyValuePair.Create((string)e.Key, (string?)e.Value));
}
