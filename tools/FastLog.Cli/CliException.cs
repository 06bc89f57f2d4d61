namespace FastLog.Cli;

/// <summary>A failure the tool reports as one line on stderr with the given exit code.</summary>
internal sealed class CliException : Exception
{
    public CliException()
        : this(ExitCodes.Usage, "failed")
    {
    }

    public CliException(string message)
        : this(ExitCodes.Usage, message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Usage;
    }

    public CliException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }

    /// <summary>Bad arguments (exit code 1).</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
