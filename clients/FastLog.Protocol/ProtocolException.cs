namespace FastLog.Protocol;

/// <summary>
/// Malformed or unsupported protocol input. <see cref="ErrorCode"/> is the Kafka error a broker would
/// report (or the reason it closes the connection): usually <see cref="ErrorCode.InvalidRequest"/> for
/// structural damage and <see cref="ErrorCode.UnsupportedVersion"/> for versions outside the codec's range.
/// </summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException()
    {
    }

    public ProtocolException(string message)
        : base(message)
    {
    }

    public ProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProtocolException(ErrorCode errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    public ErrorCode ErrorCode { get; } = ErrorCode.InvalidRequest;
}
