using FastLog.Protocol;

namespace FastLog.Client;

/// <summary>
/// A failure reported by a broker (a non-zero Kafka error code) or met while talking to one
/// (network failures carry <see cref="ErrorCode.NetworkException"/>, timeouts <see cref="ErrorCode.RequestTimedOut"/>).
/// </summary>
public class KafkaException : Exception
{
    /// <summary>Creates an exception with <see cref="ErrorCode.UnknownServerError"/>.</summary>
    public KafkaException()
        : this(ErrorCode.UnknownServerError, "Kafka request failed.")
    {
    }

    /// <summary>Creates an exception with <see cref="ErrorCode.UnknownServerError"/> and a message.</summary>
    public KafkaException(string message)
        : this(ErrorCode.UnknownServerError, message)
    {
    }

    /// <summary>Creates an exception with <see cref="ErrorCode.UnknownServerError"/>, a message and a cause.</summary>
    public KafkaException(string message, Exception innerException)
        : this(ErrorCode.UnknownServerError, message, innerException)
    {
    }

    /// <summary>Creates an exception for a Kafka error code.</summary>
    public KafkaException(ErrorCode error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates an exception for a Kafka error code, with the underlying cause.</summary>
    public KafkaException(ErrorCode error, string message, Exception? innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>The Kafka error code this failure corresponds to.</summary>
    public ErrorCode Error { get; }

    /// <summary>True when the same request may succeed if retried (possibly after a metadata refresh).</summary>
    public bool IsRetriable => KafkaErrors.IsRetriable(Error);
}
