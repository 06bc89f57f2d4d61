using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;
using FastLog.Format;

namespace FastLog.Engine.Tests.Log;

/// <summary>
/// A crash can leave any prefix of the last write on disk, and a bad disk can flip bytes. For every
/// byte boundary of the last batch, and every single-byte flip inside it, recovery must keep exactly
/// the batches before it — no more (nothing half-written is served), no less (nothing valid lost).
/// </summary>
public sealed class TornTailTests : IDisposable
{
    private static readonly TopicPartition Tp = new("torn", 0);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Cutting_the_last_batch_at_every_byte_keeps_exactly_the_valid_prefix()
    {
        var (source, lastPosition, lastSize, lastBase) = WriteLog(CompressionCodec.None);
        for (int keep = 0; keep <= lastSize; keep++)
        {
            string copy = CopyLog(source, $"cut{keep}");
            string logFile = Path.Combine(copy, "00000000000000000000.log");
            using (var stream = new FileStream(logFile, FileMode.Open))
            {
                stream.SetLength(lastPosition + keep);
            }

            bool whole = keep == lastSize;
            AssertRecovered(copy, whole ? lastBase + 4 : lastBase, whole ? lastPosition + lastSize : lastPosition);
        }
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Lz4)]
    public void Flipping_any_byte_of_the_last_batch_drops_just_that_batch(CompressionCodec codec)
    {
        var (source, lastPosition, lastSize, lastBase) = WriteLog(codec);
        for (int i = 0; i < lastSize; i++)
        {
            // partitionLeaderEpoch is neither under the CRC nor checkable: a flip there is harmless metadata.
            if (i >= RecordBatchLayout.PartitionLeaderEpochOffset && i < RecordBatchLayout.MagicOffset)
            {
                continue;
            }

            string copy = CopyLog(source, $"flip{i}");
            string logFile = Path.Combine(copy, "00000000000000000000.log");
            using (var stream = new FileStream(logFile, FileMode.Open))
            {
                stream.Position = lastPosition + i;
                int b = stream.ReadByte();
                stream.Position = lastPosition + i;
                stream.WriteByte((byte)(b ^ 0x10));
            }

            AssertRecovered(copy, lastBase, lastPosition);
        }
    }

    private (string Directory, long LastPosition, int LastSize, long LastBase) WriteLog(CompressionCodec codec)
    {
        string directory = _dir.Combine("source-" + codec);
        using var log = PartitionLog.Open(new PartitionLogOptions { Directory = directory, TopicPartition = Tp });
        long position = 0;
        int size = 0;
        long lastBase = 0;
        for (int i = 0; i < 6; i++)
        {
            var batch = TestBatches.Create(4, 30, 1_700_000_000_000, i, codec);
            position = log.SizeBytes;
            size = batch.Length;
            lastBase = log.Append(batch, 0).BaseOffset;
        }

        return (directory, position, size, lastBase);
    }

    private string CopyLog(string source, string name)
    {
        string target = _dir.Combine(name);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    private static void AssertRecovered(string directory, long expectedEnd, long expectedBytes)
    {
        using (var log = PartitionLog.Open(new PartitionLogOptions { Directory = directory, TopicPartition = Tp, HadCleanShutdown = false }))
        {
            Assert.Equal(expectedEnd, log.LogEndOffset);
            Assert.Equal(expectedBytes, log.SizeBytes);
            var batches = TestBatches.Split(log.Read(0, int.MaxValue, long.MaxValue).Slice.ToArray());
            long next = 0;
            foreach (var batch in batches)
            {
                Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batch, int.MaxValue, out _));
                Assert.Equal(next, new RecordBatchHeader(batch).BaseOffset);
                next = new RecordBatchHeader(batch).LastOffset + 1;
            }

            Assert.Equal(expectedEnd, next);
        }

        Directory.Delete(directory, recursive: true);
    }
}
