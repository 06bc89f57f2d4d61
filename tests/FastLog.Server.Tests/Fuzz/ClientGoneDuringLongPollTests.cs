using FastLog.Server.Tests.Support;
using System.Net.Sockets;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;
using Microsoft.Extensions.Logging;

namespace FastLog.Server.Tests.Fuzz;

/// <summary>
/// Found by the fuzz run: a client that resets its connection while a Fetch long poll is pending made
/// the broker log "request processing failed" at Error level with an IOException when the poll ended
/// and its answer could not be flushed. A client going away is not a broker failure.
/// </summary>
public sealed class ClientGoneDuringLongPollTests
{
    private const int SendFailedEvent = 1005;
    private const int ProcessorFailedEvent = 1003;

    [Fact]
    public async Task A_client_that_resets_during_a_long_poll_is_not_logged_as_a_failure()
    {
        var logs = new CountingLoggerProvider();
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { LoggerFactory = logs });
        using (var setup = await WireClient.ConnectAsync(broker.LocalEndPoint))
        {
            await FuzzSeeds.CreateTopicAsync(setup);

            // The auto-created partition can still be opening when Metadata answers; a fetch then gets
            // UNKNOWN_TOPIC_OR_PARTITION at once instead of waiting, and the test would check nothing.
            for (int i = 0; i < 200; i++)
            {
                var probe = await setup.SendAsync<FetchResponse>(FuzzSeeds.Fetch(fetchOffset: 0, maxWaitMs: 0, minBytes: 1), 12);
                if (probe.Responses[0].Partitions[0].ErrorCode == 0)
                {
                    break;
                }

                await Task.Delay(50);
            }
        }

        using (var socket = new Socket(broker.LocalEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { LingerState = new LingerOption(true, 0) })
        {
            await socket.ConnectAsync(broker.LocalEndPoint);

            // Nothing to read yet and a minimum no partition reaches: the fetch waits its full second.
            await socket.SendAsync(FuzzSeeds.Encode(FuzzSeeds.Fetch(fetchOffset: 0, maxWaitMs: 1000, minBytes: 1 << 24), 12, 1), SocketFlags.None);

            // Give the broker a moment to read the request before the reset (without it the test checks nothing, see below).
            await Task.Delay(300);
        }

        // Bounded wait for the broker to try answering the gone client.
        for (int i = 0; i < 300 && !logs.Entries.Any(e => e.EventId is SendFailedEvent or ProcessorFailedEvent); i++)
        {
            await Task.Delay(100);
        }

        // Stopping waits for every connection to finish: whatever it logs on the way out is in by then.
        await broker.StopAsync();
        var errors = logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Message} {e.Exception?.GetType().Name}").ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        Assert.Contains(logs.Entries, e => e.EventId == SendFailedEvent);
    }
}
