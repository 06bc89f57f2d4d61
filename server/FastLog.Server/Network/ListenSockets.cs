using System.Net.Sockets;

namespace FastLog.Server.Network;

/// <summary>Socket options shared by the broker's listening sockets (Kafka and metrics).</summary>
internal static class ListenSockets
{
    /// <summary>
    /// Sets SO_REUSEADDR alone. A broker closes connections first on shutdown, so its side keeps them in
    /// TIME_WAIT and a restarted broker could not bind its port for a minute without it. Not
    /// <see cref="SocketOptionName.ReuseAddress"/>: on Unix .NET sets SO_REUSEPORT with it, which lets a
    /// second process bind the same port silently and take half the connections.
    /// </summary>
    public static void AllowRebindOverTimeWait(Socket socket)
    {
        byte[] on = BitConverter.GetBytes(1);
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, on);
        }
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            socket.SetRawSocketOption(0xffff /* SOL_SOCKET */, 4 /* SO_REUSEADDR */, on);
        }

        // Windows: TIME_WAIT does not block a listening bind there, and its SO_REUSEADDR means port sharing.
    }
}
