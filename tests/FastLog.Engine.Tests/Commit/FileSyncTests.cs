using FastLog.Engine.Storage;

namespace FastLog.Engine.Tests.Commit;

public sealed class FileSyncTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "fastlog-filesync-" + Guid.NewGuid().ToString("N"));

    public FileSyncTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void DataSync_flushes_a_written_file()
    {
        string path = Path.Combine(_directory, "00000000000000000000.log");
        using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            byte[] data = new byte[4096];
            data.AsSpan().Fill(0x5A);
            RandomAccess.Write(handle, data, fileOffset: 0);
            FileSync.DataSync(handle);
            FileSync.DataSync(handle); // a second sync with nothing dirty is still fine
        }

        Assert.Equal(4096, new FileInfo(path).Length);
    }

    [Fact]
    public void StartWriteback_starts_the_kernel_writing_and_reports_its_errors()
    {
        string path = Path.Combine(_directory, "writeback.log");
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        byte[] data = new byte[64 * 1024];
        data.AsSpan().Fill(0x33);
        RandomAccess.Write(handle, data, fileOffset: 0);
        FileSync.StartWriteback(handle, 0, data.Length);
        byte[] back = new byte[data.Length];
        Assert.Equal(data.Length, RandomAccess.Read(handle, back, 0));
        Assert.Equal(data, back);

        // The call reaches the kernel, which refuses a negative offset (EINVAL).
        Assert.Throws<IOException>(() => FileSync.StartWriteback(handle, -4096, 4096));
    }

    [Fact]
    public void DataSync_on_a_closed_handle_throws()
    {
        string path = Path.Combine(_directory, "closed.log");
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        handle.Dispose();
        Assert.Throws<ObjectDisposedException>(() => FileSync.DataSync(handle));
    }

    [Fact]
    public void SyncDirectory_syncs_a_directory_after_a_create()
    {
        File.WriteAllBytes(Path.Combine(_directory, "leader-epoch-checkpoint"), [1, 2, 3]);
        FileSync.SyncDirectory(_directory);
    }

    [Fact]
    public void SyncDirectory_of_a_missing_directory_throws_IOException_with_errno()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // a no-op there by design
        }

        var error = Assert.Throws<IOException>(() => FileSync.SyncDirectory(Path.Combine(_directory, "missing")));
        Assert.Equal(2, error.HResult); // ENOENT
        Assert.Contains("errno 2", error.Message, StringComparison.Ordinal);
    }
}
