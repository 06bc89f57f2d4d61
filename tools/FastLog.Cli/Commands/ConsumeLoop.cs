using FastLog.Cli.Output;
using FastLog.Client.Consumer;

namespace FastLog.Cli.Commands;

/// <summary>
/// Reads records until the limit, the idle timeout or cancellation. With a group it commits the offset after each
/// printed record: every few seconds while reading, and once more on the way out, so a second run resumes exactly
/// after the last record the first one printed.
/// </summary>
internal sealed class ConsumeLoop(KafkaConsumer<byte[], byte[]> consumer, RecordWriter writer, int? maxMessages, int? timeoutMs, bool commit)
{
    private static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(5);

    private readonly Dictionary<TopicPartition, long> _next = [];
    private long _count;

    /// <returns>How many records were printed.</returns>
    public async Task<long> RunAsync(CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Restart(idle);
        long lastCommit = Environment.TickCount64;
        try
        {
            await foreach (ConsumedRecord record in consumer.ReadAllAsync(idle.Token))
            {
                await writer.WriteAsync(record);
                _count++;
                _next[record.TopicPartition] = record.Offset + 1;
                if (_count == maxMessages)
                {
                    break;
                }

                Restart(idle);
                if (commit && Environment.TickCount64 - lastCommit >= CommitInterval.TotalMilliseconds)
                {
                    await CommitAsync(ct);
                    lastCommit = Environment.TickCount64;
                }
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            // Ctrl-C or the idle timeout: both are a normal end.
        }

        if (commit)
        {
            // Ctrl-C has cancelled ct already; the final commit gets a bounded wait of its own.
            using var final = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await CommitAsync(final.Token);
        }

        return _count;
    }

    private void Restart(CancellationTokenSource idle)
    {
        if (timeoutMs is { } ms)
        {
            idle.CancelAfter(ms);
        }
    }

    private async Task CommitAsync(CancellationToken ct)
    {
        if (_next.Count > 0)
        {
            await consumer.CommitAsync(_next.Select(p => new TopicPartitionOffset(p.Key, p.Value)), ct);
        }
    }
}
