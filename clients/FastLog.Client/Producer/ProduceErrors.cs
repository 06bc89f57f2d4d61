using FastLog.Protocol;

namespace FastLog.Client.Producer;

/// <summary>Messages for produce failures that say what went wrong and what to do about it.</summary>
internal static class ProduceErrors
{
    public static string Describe(ErrorCode error, string? brokerMessage)
    {
        string detail = brokerMessage is null ? string.Empty : $" (broker: {brokerMessage})";
        return error switch
        {
            ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge =>
                $"The broker refused the batch as too large{detail}: lower batch.size or max.request.size, or raise message.max.bytes on the broker (max.message.bytes on the topic).",
            ErrorCode.UnknownTopicOrPartition =>
                $"The topic or partition does not exist{detail}: create it, or enable auto-creation on the broker.",
            ErrorCode.InvalidTopicException =>
                $"The topic name is not valid for producing{detail} (internal topics such as __consumer_offsets cannot be written).",
            ErrorCode.TopicAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed =>
                $"Not authorized{detail}: grant the principal write access to the topic.",
            ErrorCode.CorruptMessage or ErrorCode.InvalidRecord =>
                $"The broker refused the batch as invalid{detail}.",
            ErrorCode.UnsupportedVersion or ErrorCode.UnsupportedCompressionType =>
                $"The broker does not support what the batch needs{detail}: use another compression.type or a newer broker.",
            ErrorCode.InvalidProducerEpoch or ErrorCode.OutOfOrderSequenceNumber =>
                $"The broker refused the producer's sequence ({error}){detail}; the producer bumped its epoch, later records go on.",
            _ => $"The broker answered {error}{detail}.",
        };
    }
}
