namespace FastLog.Protocol;

/// <summary>Marker for response bodies.</summary>
public interface IKafkaResponse : IKafkaMessage
{
}
