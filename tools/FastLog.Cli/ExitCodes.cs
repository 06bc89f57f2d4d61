namespace FastLog.Cli;

/// <summary>The tool's exit codes, documented in the README so scripts can tell failures apart.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>Bad arguments: a usage error, an unknown <c>-X</c> key, a malformed value.</summary>
    public const int Usage = 1;

    /// <summary>No broker could be reached, or none answered within the request timeout.</summary>
    public const int Unreachable = 2;

    /// <summary>The broker refused: a topic or group that does not exist (or already exists), an invalid config, a non-empty group.</summary>
    public const int Refused = 3;

    /// <summary>Interrupted by Ctrl-C (128 + SIGINT), as shells report it.</summary>
    public const int Interrupted = 130;
}
