namespace FastLog.Client.Producer;

/// <summary>
/// How many acknowledgements the partition leader needs before it answers a produce request (<c>acks</c>).
/// The values are the wire values of the Produce request's <c>acks</c> field.
/// </summary>
public enum Acks : short
{
    /// <summary><c>acks=all</c> (-1): the leader answers once every in-sync replica has the batch (FastLog: once it is fsynced).</summary>
    All = -1,

    /// <summary><c>acks=0</c>: no answer at all; a record counts as delivered once its request is written to the socket.</summary>
    None = 0,

    /// <summary><c>acks=1</c>: the leader answers once the batch is in its log.</summary>
    Leader = 1,
}
