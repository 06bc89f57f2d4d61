using FastLog.Engine.Commit;
using FastLog.Engine.Journal;
using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Journal;

public sealed class CommitJournalTests : IDisposable
{
    private const int SmallFileBytes = 64 * 1024;

    private readonly TempDirectory _directory = new();
    private readonly GroupCommitter _committer = new(CommitPolicy.Immediate, TimeProvider.System, "journal-test");
    private readonly Random _random = new(1234);
    private int _partitionFlushes;

    public void Dispose()
    {
        _committer.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Appended_records_come_back_in_order_after_a_close_without_checkpoint()
    {
        var appended = new List<(TopicPartition, byte[])>();
        using (var journal = Open(new List<(TopicPartition, byte[])>()))
        {
            long end = 0;
            for (int i = 0; i < 300; i++)
            {
                var record = (new TopicPartition(i % 3 == 0 ? "orders" : "payments-eu", i % 5), RandomBatch(1, 3000));
                Assert.True(journal.TryAppend(record.Item1, record.Item2, out end));
                appended.Add(record);
            }

            await journal.WaitForDurableAsync(end);
            Assert.True(journal.DurableBytes >= end);
            Assert.Equal(end, journal.AppendedBytes);
        }

        int flushesBefore = _partitionFlushes;
        var replayed = new List<(TopicPartition, byte[])>();
        using (Open(replayed))
        {
            AssertSameRecords(appended, replayed);

            // The replayed records were handed to the partitions, which are synced before appends resume.
            Assert.Equal(flushesBefore + 1, _partitionFlushes);
        }

        // The reopen checkpointed past what it replayed: a third open finds nothing.
        var third = new List<(TopicPartition, byte[])>();
        using (Open(third))
        {
            Assert.Empty(third);
        }
    }

    [Fact]
    public void A_checkpoint_syncs_the_partitions_and_leaves_nothing_to_replay()
    {
        using (var journal = Open(new List<(TopicPartition, byte[])>()))
        {
            for (int i = 0; i < 50; i++)
            {
                Assert.True(journal.TryAppend(new TopicPartition("t", 0), RandomBatch(10, 500), out _));
            }

            int flushesBefore = _partitionFlushes;
            journal.Checkpoint();
            Assert.Equal(flushesBefore + 1, _partitionFlushes);
            Assert.Equal(journal.Generation, journal.CheckpointedGeneration);

            // Appended after the checkpoint: these must still come back.
            Assert.True(journal.TryAppend(new TopicPartition("t", 1), [1, 2, 3], out _));
        }

        var replayed = new List<(TopicPartition, byte[])>();
        using (Open(replayed))
        {
            var (topicPartition, batch) = Assert.Single(replayed);
            Assert.Equal(new TopicPartition("t", 1), topicPartition);
            Assert.Equal(new byte[] { 1, 2, 3 }, batch);
        }
    }

    [Fact]
    public void A_damaged_or_torn_record_ends_the_replay_at_the_valid_prefix()
    {
        var appended = new List<(TopicPartition, byte[])>();
        using (var journal = Open(new List<(TopicPartition, byte[])>()))
        {
            for (int i = 0; i < 20; i++)
            {
                var batch = RandomBatch(100, 200);
                Assert.True(journal.TryAppend(new TopicPartition("t", 0), batch, out _));
                appended.Add((new TopicPartition("t", 0), batch));
            }
        }

        string active = ActiveFile();
        byte[] original = File.ReadAllBytes(active);
        int recordsBytes = RecordsBytes(appended);
        int lastStart = recordsBytes - RecordBytes(appended[^1]);

        // Every byte of the last record flipped in turn, then the record cut (zeroed) at every length.
        var damages = new List<Action<byte[]>>();
        for (int at = lastStart; at < recordsBytes; at++)
        {
            int position = at;
            damages.Add(bytes => bytes[position] ^= 0x40);
        }

        for (int cut = lastStart; cut < recordsBytes; cut++)
        {
            int from = cut;
            damages.Add(bytes => Array.Clear(bytes, from, recordsBytes - from));
        }

        foreach (var damage in damages)
        {
            byte[] bytes = (byte[])original.Clone();
            damage(bytes);
            File.WriteAllBytes(active, bytes);
            File.Delete(Path.Combine(JournalDirectory, JournalCheckpointFile.FileName));
            var replayed = new List<(TopicPartition, byte[])>();
            using (Open(replayed))
            {
                AssertSameRecords(appended[..^1], replayed);
            }

            // Undo the reopen's checkpoint and put the untouched records back for the next damage.
            foreach (string file in Directory.EnumerateFiles(JournalDirectory, "*.journal"))
            {
                File.Delete(file);
            }

            File.WriteAllBytes(active, original);
        }
    }

    [Fact]
    public async Task Full_files_are_checkpointed_and_reused_and_their_old_records_never_replay()
    {
        var sinceLastRoll = new List<(TopicPartition, byte[])>();
        long startGeneration;
        long lastGeneration;
        using (var journal = Open(new List<(TopicPartition, byte[])>(), SmallFileBytes))
        {
            startGeneration = journal.Generation;
            long end = 0;
            for (int i = 0; i < 1000; i++)
            {
                long generation = journal.Generation;
                // One size for every record: a reused file's older records then start exactly where the
                // newer ones end, so only their generation can stop the scan.
                var record = (new TopicPartition("t", i % 16), RandomBatch(1000, 1001));
                Assert.True(journal.TryAppend(record.Item1, record.Item2, out end));
                if (journal.Generation != generation)
                {
                    // The append rolled: let the checkpoint free the old file before the next roll needs one.
                    sinceLastRoll.Clear();
                    await WaitUntil(() => journal.CheckpointedGeneration == journal.Generation);
                }

                sinceLastRoll.Add(record);
                if (i % 10 == 9)
                {
                    await journal.WaitForDurableAsync(end);
                }
            }

            await journal.WaitForDurableAsync(end);
            lastGeneration = journal.Generation;

            // About 16 files' worth of records went through two files.
            Assert.True(lastGeneration - startGeneration >= 10, $"{lastGeneration - startGeneration} rolls");
            Assert.Equal(2, journal.FileCount);
        }

        // Only the newest generation comes back; the reused files' older records past it do not.
        var replayed = new List<(TopicPartition, byte[])>();
        using (Open(replayed))
        {
            AssertSameRecords(sinceLastRoll, replayed);
        }
    }

    [Fact]
    public async Task The_writeback_tick_runs_between_checkpoints_and_stops_at_close()
    {
        int ticks = 0;
        var options = Options(SmallFileBytes) with { StartWriteback = () => Interlocked.Increment(ref ticks), WritebackIntervalMs = 5 };
        var journal = CommitJournal.Open(options, (_, _) => { });
        await WaitUntil(() => Volatile.Read(ref ticks) >= 3);
        journal.Dispose();
        int atClose = Volatile.Read(ref ticks);
        await Task.Delay(100);
        Assert.Equal(atClose, Volatile.Read(ref ticks));
    }

    [Fact]
    public void A_record_larger_than_a_journal_file_is_refused_and_the_caller_must_sync_the_partition()
    {
        using var journal = Open(new List<(TopicPartition, byte[])>(), SmallFileBytes);
        Assert.False(journal.TryAppend(new TopicPartition("t", 0), new byte[SmallFileBytes], out _));
        Assert.True(journal.TryAppend(new TopicPartition("t", 0), new byte[SmallFileBytes - 100], out _));
        Assert.Equal(SmallFileBytes - 100 + JournalRecordLayout.HeaderBytes("t"), journal.AppendedBytes);
    }

    [Fact]
    public void A_failed_partition_sync_fails_the_checkpoint_and_every_later_append()
    {
        bool fail = false;
        var options = Options(SmallFileBytes) with { FlushPartitions = () => { if (fail) { throw new IOException("disk gone"); } } };
        using var journal = CommitJournal.Open(options, (_, _) => { });
        Assert.True(journal.TryAppend(new TopicPartition("t", 0), [1], out _));
        fail = true;
        Assert.Throws<IOException>(journal.Checkpoint);
        var error = Assert.Throws<IOException>(() => journal.TryAppend(new TopicPartition("t", 0), [2], out _));
        Assert.Equal("disk gone", error.InnerException?.Message);
    }

    [Fact]
    public void Appends_that_do_not_fill_a_file_allocate_nothing()
    {
        using var journal = Open(new List<(TopicPartition, byte[])>(), fileSizeBytes: 4 * 1024 * 1024);
        var topicPartition = new TopicPartition("orders", 3);
        byte[] batch = RandomBatch(1024, 1025);
        for (int i = 0; i < 100; i++)
        {
            journal.TryAppend(topicPartition, batch, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            journal.TryAppend(topicPartition, batch, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private string JournalDirectory => _directory.Combine("journal");

    private CommitJournalOptions Options(int fileSizeBytes = CommitJournalOptions.DefaultFileSizeBytes) => new()
    {
        Directory = JournalDirectory,
        Committer = _committer,
        FlushPartitions = () => Interlocked.Increment(ref _partitionFlushes),
        FileSizeBytes = fileSizeBytes,
    };

    private CommitJournal Open(List<(TopicPartition, byte[])> replayed, int fileSizeBytes = 1024 * 1024) =>
        CommitJournal.Open(Options(fileSizeBytes), (topicPartition, batch) => replayed.Add((topicPartition, batch.ToArray())));

    private byte[] RandomBatch(int minBytes, int maxBytes)
    {
        byte[] batch = new byte[_random.Next(minBytes, maxBytes)];
        _random.NextBytes(batch);
        return batch;
    }

    private string ActiveFile() =>
        Directory.EnumerateFiles(JournalDirectory, "0*.journal").Order(StringComparer.Ordinal).Last();

    private static int RecordBytes((TopicPartition TopicPartition, byte[] Batch) record) =>
        JournalRecordLayout.HeaderBytes(record.TopicPartition.Topic) + record.Batch.Length;

    private static int RecordsBytes(IEnumerable<(TopicPartition, byte[])> records) => records.Sum(RecordBytes);

    private static void AssertSameRecords(IReadOnlyList<(TopicPartition, byte[])> expected, IReadOnlyList<(TopicPartition, byte[])> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Item1, actual[i].Item1);
            Assert.Equal(expected[i].Item2, actual[i].Item2);
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "timed out waiting");
    }
}
