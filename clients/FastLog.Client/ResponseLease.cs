using System.Buffers;
using FastLog.Protocol;

namespace FastLog.Client;

/// <summary>
/// A response parsed over its own receive buffer (see <see cref="KafkaConnection.SendLeasedAsync{TResponse}"/>).
/// Record bytes in <see cref="Response"/> point into that buffer; disposing the lease returns it to the pool, after
/// which those bytes must not be read. Dispose exactly once.
/// </summary>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class ResponseLease<TResponse> : IDisposable
    where TResponse : class, IKafkaResponse
{
    private byte[]? _frame;

    internal ResponseLease(TResponse response, byte[] frame)
    {
        Response = response;
        _frame = frame;
    }

    /// <summary>The parsed response.</summary>
    public TResponse Response { get; }

    /// <summary>Returns the receive buffer to the pool.</summary>
    public void Dispose()
    {
        byte[]? frame = Interlocked.Exchange(ref _frame, null);
        if (frame is not null)
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }
}
