using System.Diagnostics;

namespace FastLog.Bench.Engine;

/// <summary>The engine's own ceiling on this machine, beside the shared machine limits of FastLog.Bench.Common.</summary>
internal static class PageCacheCeiling
{
    /// <summary>
    /// The page-cache ceiling of this runtime and kernel for the engine's I/O pattern: sequential
    /// <see cref="RandomAccess.Write(Microsoft.Win32.SafeHandles.SafeFileHandle, ReadOnlySpan{byte}, long)"/>
    /// of <paramref name="blockBytes"/> blocks into a new file (no fsync), then sequential 1 MiB
    /// <c>RandomAccess.Read</c>s of it back into one buffer. Returns MB/s for both.
    /// </summary>
    public static (double WriteMBps, double ReadMBps) Measure(string directory, int blockBytes, long totalBytes)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "ceiling.dat");
        var block = GC.AllocateUninitializedArray<byte>(blockBytes, pinned: true);
        new Random(11).NextBytes(block);
        long blocks = Math.Max(1, totalBytes / blockBytes);
        try
        {
            double write;
            using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite))
            {
                long start = Stopwatch.GetTimestamp();
                for (long i = 0; i < blocks; i++)
                {
                    RandomAccess.Write(handle, block, i * blockBytes);
                }

                write = blocks * blockBytes / 1e6 / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            var buffer = GC.AllocateUninitializedArray<byte>(1024 * 1024, pinned: true);
            double read;
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
            {
                long length = blocks * blockBytes;
                long position = 0;
                long start = Stopwatch.GetTimestamp();
                while (position < length)
                {
                    int n = RandomAccess.Read(handle, buffer, position);
                    if (n == 0)
                    {
                        break;
                    }

                    position += n;
                }

                read = position / 1e6 / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            return (write, read);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
