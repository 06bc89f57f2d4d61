using System.Buffers;

namespace FastLog.Server.Network;

/// <summary>
/// What the socket layer hands complete request frames to.
/// </summary>
/// <remarks>
/// Called in arrival order, one frame at a time per connection. The frame (without its 4-byte
/// size prefix) is only valid until the method returns, so everything that touches it — header
/// parsing, validation, the append of a produce batch — happens synchronously; the returned task
/// may then finish later (an acks=all produce waiting for fsync, a fetch long poll) while the next
/// frames of the same connection are already being processed. Responses are written strictly in
/// request order regardless of which task completes first.
/// A result of null means "no response" (Produce with acks=0). Throwing
/// <see cref="ConnectionClosingException"/> closes the connection, as Kafka does for unknown
/// API versions and malformed headers.
/// </remarks>
public interface IRequestProcessor
{
    ValueTask<KafkaResponse?> ProcessAsync(ConnectionContext connection, ReadOnlySequence<byte> frame);
}
