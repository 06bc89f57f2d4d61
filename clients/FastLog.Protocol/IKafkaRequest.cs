namespace FastLog.Protocol;

/// <summary>Marker for request bodies (so a handler signature can say which side it takes).</summary>
public interface IKafkaRequest : IKafkaMessage
{
}
