using FastLog.Client.Cluster;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Producer;

/// <summary>
/// The idempotent producer's id and epoch, obtained with InitProducerId from any broker. A bump (KIP-360, v3+) asks
/// for the next epoch of the same id; a broker without v3 hands out a fresh id instead, which restarts sequences just
/// the same.
/// </summary>
internal sealed class ProducerIdentity
{
    private long _producerId = -1;
    private short _epoch = -1;

    public long ProducerId => Volatile.Read(ref _producerId);

    public short Epoch => _epoch;

    public bool HasId => ProducerId >= 0;

    /// <summary>Gets an id (or, with <paramref name="bump"/>, a new epoch for the current one).</summary>
    /// <exception cref="KafkaException">The broker refused or could not be reached.</exception>
    public async Task InitAsync(ClusterConnections cluster, bool bump, CancellationToken cancellationToken)
    {
        KafkaConnection connection = await cluster.GetAnyAsync(cancellationToken).ConfigureAwait(false);
        short version = connection.PickVersion(ApiKey.InitProducerId, 0, 4);

        // Java's idempotent producer sends int.MaxValue: there is no transaction to time out.
        var request = new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = int.MaxValue };
        if (bump && version >= 3 && HasId)
        {
            request.ProducerId = ProducerId;
            request.ProducerEpoch = Epoch;
        }

        var response = await connection.SendAsync<InitProducerIdResponse>(request, version, cancellationToken).ConfigureAwait(false);
        var error = (ErrorCode)response.ErrorCode;
        if (error != ErrorCode.None)
        {
            throw new KafkaException(error, $"InitProducerId v{version} to {connection.Host}:{connection.Port} failed with {error}.");
        }

        _epoch = response.ProducerEpoch;
        Volatile.Write(ref _producerId, response.ProducerId);
    }
}
