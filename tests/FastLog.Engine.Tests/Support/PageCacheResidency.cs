using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace FastLog.Engine.Tests.Support;

/// <summary>Which pages of a file sit in the page cache now (Linux <c>mincore</c> over a read-only mapping, which faults nothing in).</summary>
internal static partial class PageCacheResidency
{
    public const int PageBytes = 4096;

    /// <summary>Cached pages among those that cover [<paramref name="fromBytes"/>, <paramref name="toBytes"/>) of the file.</summary>
    public static int CachedPages(string path, long fromBytes, long toBytes)
    {
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        using var view = file.CreateViewAccessor(0, toBytes, MemoryMappedFileAccess.Read);
        var pages = new byte[(toBytes + PageBytes - 1) / PageBytes];
        nint start = view.SafeMemoryMappedViewHandle.DangerousGetHandle() + (nint)view.PointerOffset;
        if (MinCore(start, (nuint)toBytes, pages) != 0)
        {
            throw new IOException($"mincore failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return pages.Skip((int)(fromBytes / PageBytes)).Count(page => (page & 1) != 0);
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static partial int MinCore(nint address, nuint lengthBytes, byte[] pages);
}
