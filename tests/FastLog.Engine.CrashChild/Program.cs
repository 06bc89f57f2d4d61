using System.Buffers.Binary;
using System.Globalization;
using FastLog.Engine.Commit;
using FastLog.Engine.Log;
using FastLog.Format;

// Crash-test child: appends to one partition from several concurrent appenders with
// fsync-before-ack (group commit, Immediate policy) and prints "base last tag" for every append
// once it is durable. It runs until the parent test kills it with SIGKILL.
// Usage: FastLog.Engine.CrashChild <log.dir> <appenders> <records-per-batch> <value-bytes>
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
