using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FastLog.Server.Network;

/// <summary>
/// <c>sendfile(2)</c>: file pages go from the page cache to the socket without a copy into user
/// space. The socket is non-blocking (.NET's async sockets), so a call sends what fits in the
/// socket buffer and reports it; the caller waits for room some other way and calls again.
/// </summary>
internal static partial class SocketSendFile
{
    private const int EAGAIN = 11;
    private const int EINTR = 4;

    public static bool IsSupported { get; } = OperatingSystem.IsLinux();

    /// <summary>
    /// Sends up to <paramref name="count"/> bytes of the file from <paramref name="position"/>.
    /// Returns the bytes sent, 0 when the socket buffer is full; throws <see cref="IOException"/> on errors.
    /// </summary>
    public static int TrySend(Socket socket, SafeFileHandle file, long position, int count)
    {
        bool socketRef = false;
        bool fileRef = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref socketRef);
            file.DangerousAddRef(ref fileRef);
            while (true)
            {
                long offset = position;
                nint sent = SendFile((int)socket.SafeHandle.DangerousGetHandle(), (int)file.DangerousGetHandle(), ref offset, (nuint)count);
                if (sent >= 0)
                {
                    return (int)sent;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                if (errno == EAGAIN)
                {
                    return 0;
                }

                throw new IOException($"sendfile failed with errno {errno}");
            }
        }
        finally
        {
            if (fileRef)
            {
                file.DangerousRelease();
            }

            if (socketRef)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sendfile", SetLastError = true)]
    private static partial nint SendFile(int outFd, int inFd, ref long offset, nuint count);
}
