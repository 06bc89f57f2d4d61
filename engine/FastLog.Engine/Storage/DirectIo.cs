using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FastLog.Engine.Storage;

/// <summary>
/// Direct I/O (Linux <c>O_DIRECT</c>): writes go from the caller's memory to the device, bypassing the
/// page cache. Every write's memory address, file position and length must be multiples of
/// <see cref="PageBytes"/>.
/// </summary>
/// <remarks>
/// Why the engine wants it: a buffered append copies every byte into a page-cache page that the
/// kernel must first find free memory for, and on a virtual machine that returns free memory to its
/// host each such page is faulted in by the host first (<c>perf-results/README.md</c>: five times
/// the cost of reusing a page). Writing from memory the broker keeps and reuses avoids both the
/// copy and the fault. Reads of the same file through an ordinary handle stay coherent: the kernel
/// drops cached pages a direct write overlaps.
/// </remarks>
public static class DirectIo
{
    /// <summary>The alignment of memory, positions and lengths that direct writes need (the page size on the platforms the broker runs on).</summary>
    public const int PageBytes = 4096;

    private const int O_RDWR = 2;
    private const int O_CLOEXEC = 0x80000;
    private const int EINVAL = 22;

    /// <summary>Whether this platform has direct I/O the engine can use (Linux on x64 or Arm64).</summary>
    public static bool IsSupported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>
    /// Opens an existing file for direct reads and writes. Returns null when the platform or the file
    /// system has no direct I/O (the caller keeps writing through the page cache); throws
    /// <see cref="IOException"/> for any other failure.
    /// </summary>
    public static SafeFileHandle? TryOpen(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!IsSupported)
        {
            return null;
        }

        // O_DIRECT's value differs between architectures (asm-generic against x86).
        int direct = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x10000 : 0x4000;
        int fd = FileSync.OpenDescriptor(path, O_RDWR | O_CLOEXEC | direct);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == EINVAL)
        {
            return null; // the file system refuses O_DIRECT
        }

        throw new IOException($"open of '{path}' for direct I/O failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
    }
}
