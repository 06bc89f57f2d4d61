using System.Diagnostics;
using System.Globalization;
using FastLog.Bench.Common;
using FastLog.Engine.Commit;
using FastLog.Engine.Journal;
using FastLog.Engine.Log;
using FastLog.Format;
using HdrHistogram;

namespace FastLog.Bench.Engine;

/// <summary>
/// What the commit journal saves an acks=all request that writes several partitions: each request
/// appends one small batch to each of <c>per-request</c> partitions (of <c>partitions</c>, round robin)
/// and waits until all of them are durable, one request after another. Two ways, alternated in rounds
/// so the machine's drift hits both alike:
/// <b>partition fsyncs</b>, every partition's own group-committed fdatasync, started side by side on
/// 8 flusher threads (the broker's default today); <b>journal</b>, the same appends plus a copy of
/// each batch in one <see cref="CommitJournal"/>, and one group-committed fdatasync of the journal
/// (partitions synced only by its checkpoints, one per 16 MiB of journal, counted in the fsyncs).
/// Reports requests/s, request latency p50/p99/p99.9 and process CPU per request.
/// Usage: journal [requests-per-round=4000] [rounds=3] [partitions=16] [per-request=8] [record-bytes=1024] [data-dir]
/// </summary>
internal static class JournalBench
{
    private const int FlushThreads = 8;

    // Smaller than the default, so every round includes checkpoints (every partition synced once per file).
    private const int JournalFileBytes = 16 * 1024 * 1024;

    public static async Task<int> Run(string[] args)
    {
        int requests = Arg(args, 1, 4000);
        int rounds = Arg(args, 2, 3);
        int partitions = Arg(args, 3, 16);
        int perRequest = Arg(args, 4, 8);
        int recordBytes = Arg(args, 5, 1024);
        bool ownDir = args.Length <= 6;
        string dir = ownDir ? Path.Combine(Path.GetTempPath(), $"fastlog-bench-journal-{Environment.ProcessId}") : args[6];
        var run = await RunInfo.CollectAsync("bench/FastLog.Bench.Engine", args);
        Console.WriteLine($"- machine: {Environment.ProcessorCount} cores; commit `{run.CommitText}`; load average at start {RunInfo.LoadAverage()}");
        Console.WriteLine($"- command: `{run.Command}`");
        Console.WriteLine();
        Console.WriteLine("| round | durability | requests | requests/s | p50 / p99 / p99.9 µs | CPU µs per request | fsyncs per request |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        try
        {
            var value = new byte[recordBytes];
            Random.Shared.NextBytes(value);
            using var builder = new RecordBatchBuilder();
            builder.Append(1_700_000_000_000, key: null, value);
            byte[] template = builder.Build().ToArray();

            // An unreported warm-up of each, then the measured rounds alternating.
            await RunOnce(dir, journal: false, requests / 4, partitions, perRequest, template, report: null);
            await RunOnce(dir, journal: true, requests / 4, partitions, perRequest, template, report: null);
            for (int round = 1; round <= rounds; round++)
            {
                foreach (bool journal in new[] { false, true })
                {
                    await RunOnce(dir, journal, requests, partitions, perRequest, template, report: round);
                }
            }

            return 0;
        }
        finally
        {
            if (ownDir && Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static async Task RunOnce(string root, bool journal, int requests, int partitions, int perRequest, byte[] template, int? report)
    {
        string dir = Path.Combine(root, journal ? "journal" : "partitions");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        await using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "bench", flushThreads: FlushThreads);
        var logs = new PartitionLog[partitions];
        for (int p = 0; p < partitions; p++)
        {
            var tp = new TopicPartition("bench", p);
            logs[p] = PartitionLog.Open(new PartitionLogOptions { Directory = Path.Combine(dir, tp.DirectoryName), TopicPartition = tp, Committer = committer });
        }

        CommitJournal? commitJournal = journal
            ? CommitJournal.Open(new CommitJournalOptions { Directory = Path.Combine(dir, "journal"), Committer = committer, FlushPartitions = () => SyncAll(logs), FileSizeBytes = JournalFileBytes }, (_, _) => { })
            : null;
        try
        {
            var histogram = new LongHistogram(TimeStamp.Seconds(10), 3);
            var waits = new ValueTask[perRequest];
            byte[] batch = new byte[template.Length];
            long flushesBefore = committer.FlushCount;
            long firstGeneration = commitJournal?.CheckpointedGeneration ?? 0;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            int next = 0;
            for (int r = 0; r < requests; r++)
            {
                long started = Stopwatch.GetTimestamp();
                long journalEnd = 0;
                for (int i = 0; i < perRequest; i++)
                {
                    var log = logs[next];
                    next = (next + 1) % partitions;
                    template.CopyTo(batch, 0);
                    var result = log.Append(batch, leaderEpoch: 0);
                    if (commitJournal is null)
                    {
#pragma warning disable CA2012 // Stored to be awaited exactly once below, after every wait has started (as the broker's Produce does).
                        waits[i] = log.WaitForDurableAsync(result.EndOffset);
#pragma warning restore CA2012
                    }
                    else if (!commitJournal.TryAppend(log.TopicPartition, batch, out journalEnd))
                    {
                        throw new InvalidOperationException("record larger than a journal file");
                    }
                }

                if (commitJournal is null)
                {
                    foreach (var wait in waits)
                    {
                        await wait;
                    }
                }
                else
                {
                    await commitJournal.WaitForDurableAsync(journalEnd);
                }

                histogram.RecordValue((Stopwatch.GetTimestamp() - started) * 1_000_000 / Stopwatch.Frequency);
            }

            wall.Stop();
            double cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds;
            double fsyncs = committer.FlushCount - flushesBefore;
            if (report is { } round)
            {
                string checkpoints = commitJournal is null ? string.Empty : $", {commitJournal.CheckpointedGeneration - firstGeneration} checkpoints";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {round} | {(journal ? "journal" : "partition fsyncs")}{checkpoints} | {requests:N0} | {requests / wall.Elapsed.TotalSeconds:N0} | {histogram.GetValueAtPercentile(50):N0} / {histogram.GetValueAtPercentile(99):N0} / {histogram.GetValueAtPercentile(99.9):N0} | {cpuMicros / requests:N0} | {fsyncs / requests:F2} |"));
            }
        }
        finally
        {
            commitJournal?.Dispose();
            foreach (var log in logs)
            {
                log.Dispose();
            }
        }
    }

    /// <summary>The journal's checkpoint: every partition durable through its own flusher (never two syncs of one partition at once).</summary>
    private static void SyncAll(PartitionLog[] logs)
    {
        foreach (var log in logs)
        {
            log.RequestFlush();
        }

        foreach (var log in logs)
        {
            log.WaitForDurableAsync(log.LogEndOffset).AsTask().GetAwaiter().GetResult();
        }
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
}
