using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Log;

/// <summary>
/// Found by the broker's fuzz run: a topic deleted while a fetch read its log made the offset index
/// lookup dereference an index that Close had just unmapped (a NullReferenceException there, and
/// freed memory in a worse interleaving). Close now waits for readers inside the indexes, and reads
/// that start after it answer with a clean error.
/// </summary>
public sealed class CloseWhileReadingTests : IDisposable
{
    private static readonly TopicPartition Tp = new("deleted-while-read", 0);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reads_racing_with_close_return_data_or_a_storage_error_and_never_fault()
    {
        for (int round = 0; round < 20; round++)
        {
            var log = PartitionLog.Open(new PartitionLogOptions
            {
                Directory = _dir.Combine($"{Tp.DirectoryName}-{round}"),
                TopicPartition = Tp,

                // An index entry for every batch, so every read goes through the offset index.
                Config = new LogConfig { IndexIntervalBytes = 0 },
                TimeProvider = _time,
                HadCleanShutdown = true,
            });
            for (int i = 0; i < 200; i++)
            {
                log.Append(TestBatches.Create(2, 30, _time.NowMs + i, tag: i), 0);
            }

            log.UpdateHighWatermark(log.LogEndOffset);
            using var started = new CountdownEvent(4);
            var readers = Enumerable.Range(0, 4).Select(r => Task.Run(() =>
            {
                var random = new Random(r + (round * 10));
                started.Signal();
                var seen = new HashSet<ReadStatus>();
                while (seen.Count == 0 || !seen.Contains(ReadStatus.Closed))
                {
                    var result = log.Read(random.Next(400), 4096, long.MaxValue);
                    seen.Add(result.Status);
                    Assert.True(result.Status is ReadStatus.Success or ReadStatus.Closed, $"read status {result.Status}");
                    Assert.Equal(result.Status == ReadStatus.Closed ? LogReadResult.NotLeaderOrFollowerErrorCode : (short)0, result.KafkaErrorCode);
                    log.TryFindBatchByTimestamp(_time.NowMs + random.Next(200), out _, out _);
                }
            })).ToArray();

            started.Wait();
            log.Close();
            await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
