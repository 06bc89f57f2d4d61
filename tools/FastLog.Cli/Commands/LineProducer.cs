using FastLog.Client;
using FastLog.Client.Producer;

namespace FastLog.Cli.Commands;

/// <summary>
/// Turns stdin lines into records and counts their deliveries. Records are produced without awaiting each one
/// (the producer batches them), and the outcome is tallied in delivery handlers, which run on the producer's
/// network thread: hence the interlocked counters.
/// </summary>
internal sealed class LineProducer(string topic, int partition, string? keySeparator, IReadOnlyList<Header> headers)
{
    private int _produced;
    private int _delivered;
    private int _failed;
    private KafkaException? _firstFailure;

    public void Produce(KafkaProducer<string, string> producer, string line)
    {
        var message = new Message<string, string> { Value = line, Key = null!, Headers = headers.Count == 0 ? null : headers };
        int split = keySeparator is null ? -1 : line.IndexOf(keySeparator, StringComparison.Ordinal);
        if (split >= 0)
        {
            message.Key = line[..split];
            message.Value = line[(split + keySeparator!.Length)..];
        }

        _produced++;
        if (partition >= 0)
        {
            producer.Produce(topic, partition, message, OnDelivery);
        }
        else
        {
            producer.Produce(topic, message, OnDelivery);
        }
    }

    /// <summary>Writes the summary (or the first failure) to stderr and returns the exit code.</summary>
    public async Task<int> ReportAsync(TextWriter error)
    {
        int delivered = Volatile.Read(ref _delivered);
        int failed = Volatile.Read(ref _failed);
        if (failed == 0)
        {
            await error.WriteLineAsync($"{delivered} record{(delivered == 1 ? "" : "s")} produced to topic '{topic}'.");
            return ExitCodes.Ok;
        }

        KafkaException first = Volatile.Read(ref _firstFailure)!;
        await error.WriteLineAsync($"{CliApp.Name}: {failed} of {_produced} records were not delivered to topic '{topic}': {first.Error}: {first.Message}");
        return ExitCodes.Refused;
    }

    private void OnDelivery(DeliveryReport report)
    {
        if (report.IsSuccess)
        {
            Interlocked.Increment(ref _delivered);
            return;
        }

        Interlocked.CompareExchange(ref _firstFailure, report.Error, null);
        Interlocked.Increment(ref _failed);
    }
}
