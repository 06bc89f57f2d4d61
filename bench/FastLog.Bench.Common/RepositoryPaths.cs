namespace FastLog.Bench.Common;

/// <summary>Finds the repository checkout a bench program runs from, and the standalone broker built in it.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding FastLog.sln above this program's binaries, or null when run from elsewhere.</summary>
    public static string? Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FastLog.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>FastLog.Broker.dll built in the same configuration as the calling program.</summary>
    public static string BrokerDll()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        string root = Root() ?? throw new FileNotFoundException("the repository root (FastLog.sln) was not found above the harness; pass --broker-dll");
        string dll = Path.Combine(root, "server", "FastLog.Broker", "bin", configuration, "net10.0", "FastLog.Broker.dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"FastLog.Broker.dll not found at {dll}; build the solution in {configuration} first, or pass --broker-dll");
    }
}
