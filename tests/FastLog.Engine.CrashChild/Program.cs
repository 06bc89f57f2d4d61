using System.Buffers.Binary;
using System.Globalization;
using FastLog.Engine.Cleaning;
using FastLog.Engine.Commit;
using FastLog.Engine.Log;
using FastLog.Format;

// Crash-test child: appends to one partition from several concurrent appenders with
// fsync-before-ack (group commit, Immediate policy) and prints "base last tag" for every append
// once it is durable. It runs until the parent test kills it with SIGKILL.
// Usage: FastLog.Engine.CrashChild <log.dir> <appenders> <records-per-batch> <value-bytes>
// Second mode, "compact <log.dir>": one appender writes keyed records (overwrites and tombstones) to
// a compacted partition while the log cleaner runs passes back to back; each record is printed as
// "offset key tombstone" once durable.
if (args.Length == 2 && args[0] == "compact")
{
    return await RunCompactionChildAsync(args[1]);
}

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: FastLog.Engine.CrashChild <log.dir> <appenders> <records-per-batch> <value-bytes>");
    return 2;
}

string logDir = args[0];
int appenders = int.Parse(args[1], CultureInfo.InvariantCulture);
int recordsPerBatch = int.Parse(args[2], CultureInfo.InvariantCulture);
int valueBytes = int.Parse(args[3], CultureInfo.InvariantCulture);

using var manager = LogManager.Open(new LogManagerOptions
{
    LogDirs = [logDir],
    CommitPolicy = CommitPolicy.Immediate,
    DefaultConfig = new LogConfig { SegmentBytes = 256 * 1024 },
});
var log = manager.GetOrCreateLog(new TopicPartition("crash", 0));
var output = Console.Out;
var outputLock = new object();
Console.Error.WriteLine($"ready at offset {log.LogEndOffset}");

var tasks = new Task[appenders];
for (int a = 0; a < appenders; a++)
{
    int appender = a;
    tasks[a] = Task.Run(async () =>
    {
        using var builder = new RecordBatchBuilder();
        var value = new byte[Math.Max(8, valueBytes)];
        for (long sequence = 0; ; sequence++)
        {
            long tag = ((long)appender << 40) | sequence;
            BinaryPrimitives.WriteInt64BigEndian(value, tag);
            builder.Reset();
            for (int r = 0; r < recordsPerBatch; r++)
            {
                builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), key: null, value: value);
            }

            byte[] batch = builder.Build();
            var result = log.Append(batch, leaderEpoch: 0);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"append failed: {result.Status} {result.BatchError}");
            }

            await log.WaitForDurableAsync(result.EndOffset);
            lock (outputLock)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.BaseOffset} {result.LastOffset} {tag}"));
                output.Flush();
            }
        }
    });
}

await Task.WhenAll(tasks);
return 0;

static async Task<int> RunCompactionChildAsync(string logDir)
{
    using var manager = LogManager.Open(new LogManagerOptions
    {
        LogDirs = [logDir],
        CommitPolicy = CommitPolicy.Immediate,
        DefaultConfig = CompactionChildConfig(),
    });
    var log = manager.GetOrCreateLog(new TopicPartition("compacted", 0));
    log.UpdateHighWatermark(log.LogEndOffset);
    Console.Error.WriteLine($"ready at offset {log.LogEndOffset}");

    using var cleaner = new LogCleanerService(manager, TimeProvider.System, TimeSpan.FromMilliseconds(1));
    var cleaning = Task.Run(() =>
    {
        while (true)
        {
            cleaner.RunOnce();
            if (cleaner.LastError is { } error)
            {
                Console.Error.WriteLine("cleaner failed: " + error);
                Environment.Exit(3);
            }
        }
    });

    var output = Console.Out;
    using var builder = new RecordBatchBuilder();
    var keys = new string[5];
    var tombstones = new bool[5];

    // Offsets only grow across restarts, so they double as a sequence for values and key choice.
    while (!cleaning.IsCompleted)
    {
        long next = log.LogEndOffset;
        builder.Reset();
        for (int r = 0; r < keys.Length; r++)
        {
            long sequence = next + r;
            keys[r] = "k" + (sequence * 7 % 40).ToString(CultureInfo.InvariantCulture);
            tombstones[r] = sequence % 11 == 0;
            byte[]? value = tombstones[r] ? null : System.Text.Encoding.UTF8.GetBytes("v" + sequence.ToString(CultureInfo.InvariantCulture) + new string('x', 60));
            builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), System.Text.Encoding.UTF8.GetBytes(keys[r]), value);
        }

        byte[] batch = builder.Build();
        var result = log.Append(batch, leaderEpoch: 0);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"append failed: {result.Status} {result.BatchError}");
        }

        await log.WaitForDurableAsync(result.EndOffset);
        log.UpdateHighWatermark(result.EndOffset);
        var line = new System.Text.StringBuilder();
        for (int r = 0; r < keys.Length; r++)
        {
            line.Append(CultureInfo.InvariantCulture, $"{result.BaseOffset + r} {keys[r]} {(tombstones[r] ? 1 : 0)}\n");
        }

        output.Write(line.ToString());
        output.Flush();
    }

    await cleaning;
    return 0;
}

// Small segments so that segments roll, and get cleaned, many times a second.
static LogConfig CompactionChildConfig() => new()
{
    SegmentBytes = 8 * 1024,
    CleanupPolicy = CleanupPolicy.Compact,
    MinCleanableDirtyRatio = 0.2,
    DeleteRetentionMs = 200,
    FileDeleteDelayMs = 500,
};
