using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FastLog.Engine.Storage;

/// <summary>
/// The two durability primitives the engine needs: make a file's data durable, and make a
/// directory's entries (created, renamed, deleted files) durable.
/// </summary>
/// <remarks>
/// On Linux the file sync is <c>fdatasync(2)</c>: it skips the inode timestamp update that
/// <c>fsync(2)</c> also writes, which is all a preallocated or appended log segment needs (the
/// size change of an append is still flushed, as fdatasync requires for later reads).
/// Elsewhere <see cref="RandomAccess.FlushToDisk"/> gives fsync/FlushFileBuffers semantics.
/// A failure throws <see cref="IOException"/> whose <see cref="Exception.HResult"/> is the errno.
/// Callers must treat a failed sync as fatal for the file: after a failed fsync the kernel may
/// already have dropped the dirty pages, so a retry that "succeeds" proves nothing.
/// </remarks>
public static partial class FileSync
{
    private const int EINTR = 4;
    private const int EBADF = 9;
    private const int EINVAL = 22;
    private const int O_RDONLY = 0;

    /// <summary>Flushes the file's data (and the metadata needed to read it back) to stable storage.</summary>
    public static void DataSync(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ObjectDisposedException.ThrowIf(handle.IsClosed, handle);

        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        using var lease = new DescriptorLease(handle);
        while (FDataSync(lease.Descriptor) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                throw ErrnoException("fdatasync", errno, path: null);
            }
        }
    }

    /// <summary>
    /// Asks the kernel to drop the file's cached pages in the range (Linux
    /// <c>posix_fadvise(POSIX_FADV_DONTNEED)</c>). Only clean pages go: dirty ones and pages still being
    /// written are kept, so no data is lost, and a later read of a dropped page reads the device. It is
    /// advice, so failures are ignored. A no-op elsewhere.
    /// </summary>
    public static void DropFromPageCache(SafeFileHandle handle, long offsetBytes, long lengthBytes)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!OperatingSystem.IsLinux() || lengthBytes <= 0)
        {
            return;
        }

        using var lease = new DescriptorLease(handle);
        _ = PosixFadvise(lease.Descriptor, offsetBytes, lengthBytes, PosixFadviseDontNeed);
    }

    /// <summary>
    /// Starts writing the file's dirty pages in the range to the device without waiting for them and
    /// without a cache flush (Linux <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>); durability still
    /// needs <see cref="DataSync"/>. Lets a later fsync find little left to write. A no-op elsewhere.
    /// </summary>
    public static void StartWriteback(SafeFileHandle handle, long offsetBytes, long lengthBytes)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!OperatingSystem.IsLinux() || lengthBytes <= 0)
        {
            return;
        }

        using var lease = new DescriptorLease(handle);
        while (SyncFileRange(lease.Descriptor, offsetBytes, lengthBytes, SyncFileRangeWrite) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                throw ErrnoException("sync_file_range", errno, path: null);
            }
        }
    }

    /// <summary>
    /// Replaces the file at <paramref name="path"/> with <paramref name="contents"/> so that a crash leaves
    /// either the old file or the new one, never a torn one: a temporary file beside it is written and
    /// fsynced, renamed over the old one, and the directory fsynced.
    /// </summary>
    public static void ReplaceDurably(string path, ReadOnlySpan<byte> contents)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temporary = path + ".tmp";
        using (var handle = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, contents, 0);
            DataSync(handle);
        }

        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Makes the directory's entries durable, so a file created or renamed in it survives a crash.
    /// A no-op on Windows, where NTFS journals directory changes and directories cannot be opened for sync.
    /// </summary>
    public static void SyncDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = OpenDescriptor(path, O_RDONLY);
        if (fd < 0)
        {
            throw ErrnoException("open", Marshal.GetLastPInvokeError(), path);
        }

        try
        {
            while (FSync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                // Some file systems do not support fsync on a directory; like PostgreSQL we accept that
                // rather than refuse to run there.
                if (errno is EINVAL or EBADF)
                {
                    break;
                }

                throw ErrnoException("fsync", errno, path);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// A file handle's descriptor, with a reference held on the handle until disposed: the descriptor
    /// cannot be closed and reused by another open while a system call uses it.
    /// </summary>
    private readonly ref struct DescriptorLease
    {
        private readonly SafeFileHandle _handle;
        private readonly bool _addedRef;

        public DescriptorLease(SafeFileHandle handle)
        {
            bool addedRef = false;
            handle.DangerousAddRef(ref addedRef);
            _handle = handle;
            _addedRef = addedRef;
            Descriptor = (int)handle.DangerousGetHandle();
        }

        public int Descriptor { get; }

        public void Dispose()
        {
            if (_addedRef)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary><c>open(2)</c>, retried when a signal interrupts it; a negative result leaves the error in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    internal static int OpenDescriptor(string path, int flags)
    {
        int fd;
        do
        {
            fd = Open(path, flags);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);

        return fd;
    }

    private static IOException ErrnoException(string call, int errno, string? path)
    {
        string target = path is null ? string.Empty : $" of '{path}'";
        return new IOException($"{call}{target} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(int fd);

    private const uint SyncFileRangeWrite = 2;

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);

    private const int PosixFadviseDontNeed = 4;

    // Returns the error number instead of setting errno.
    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long len, int advice);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
