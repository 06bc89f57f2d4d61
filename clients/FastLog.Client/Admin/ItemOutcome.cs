namespace FastLog.Client.Admin;

/// <summary>What one attempt of an admin operation made of one item: a result, or the error to retry or report.</summary>
internal readonly record struct ItemOutcome<TResult>(TResult? Result, KafkaException? Error)
{
    public static ItemOutcome<TResult> Ok(TResult result) => new(result, null);

    public static ItemOutcome<TResult> Failed(KafkaException error) => new(default, error);
}
