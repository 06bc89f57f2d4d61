namespace FastLog.Format;

/// <summary>
/// A batch was refused; carries the typed reason and the Kafka error code to answer with.
/// Thrown only off the hot path (validation itself returns <see cref="RecordBatchError"/>).
/// </summary>
public sealed class InvalidRecordBatchException : Exception
{
    public InvalidRecordBatchException(RecordBatchError error, string message)
        : base(message)
    {
        Error = error;
    }

    public InvalidRecordBatchException()
        : this(RecordBatchError.InvalidRecord, "invalid record batch")
    {
    }

    public InvalidRecordBatchException(string message)
        : this(RecordBatchError.InvalidRecord, message)
    {
    }

    public InvalidRecordBatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = RecordBatchError.InvalidRecord;
    }

    /// <summary>A refusal with a typed reason caused by another exception (e.g. a codec's own error).</summary>
    public InvalidRecordBatchException(RecordBatchError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    public RecordBatchError Error { get; }

    public short KafkaErrorCode => Error.ToKafkaErrorCode();
}
