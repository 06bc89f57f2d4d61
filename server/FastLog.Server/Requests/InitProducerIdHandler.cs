using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>
/// InitProducerId (key 22), v0-4, for idempotent producers (the Java client's default, librdkafka's
/// enable.idempotence): a producer id never used before (reserved through the metadata log, so
/// unique across restarts) with epoch 0; v3+ with a known id and epoch bumps the epoch (KIP-360),
/// taking a new id when the epoch would overflow. Transactional ids are refused: transactions are
/// not served yet.
/// </summary>
internal sealed class InitProducerIdHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.InitProducerId;

    public short MinVersion => 0;

    public short MaxVersion => 4;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var init = (InitProducerIdRequest)request;
        var response = new InitProducerIdResponse { ProducerId = -1, ProducerEpoch = -1 };
        if (init.TransactionalId is not null)
        {
            response.ErrorCode = (short)ErrorCode.UnsupportedVersion;
        }
        else if (init.ProducerId >= 0 && init.ProducerEpoch >= 0 && init.ProducerEpoch < short.MaxValue - 1)
        {
            response.ProducerId = init.ProducerId;
            response.ProducerEpoch = (short)(init.ProducerEpoch + 1);
        }
        else
        {
            response.ProducerId = context.Broker.Controller.AllocateProducerId();
            response.ProducerEpoch = 0;
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }
}
