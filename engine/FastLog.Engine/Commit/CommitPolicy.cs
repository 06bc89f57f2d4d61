namespace FastLog.Engine.Commit;

/// <summary>
/// When a <see cref="GroupCommitter"/> fsyncs a partition. Immutable; one policy per committer.
/// </summary>
/// <remarks>
/// Every policy also flushes on <see cref="CommitTracker.RequestFlush"/> (segment roll, close) and once
/// more on <see cref="GroupCommitter.Dispose"/>. A waiter forces a flush except under
/// <see cref="EveryInterval"/>, where it completes at the next tick (a bounded wait). Under
/// <see cref="EveryMessages"/> it must force one: on a quiet partition the threshold may never be
/// reached, and the waiter (an acks=all producer) would wait until its client gave up.
/// <list type="bullet">
/// <item><see cref="Immediate"/>: the acks=all default. A waiter asks for a flush; waiters that arrive
/// while a flush is running share the one that follows it, so N concurrent producers cost about two
/// fsyncs, not N.</item>
/// <item><see cref="EveryInterval"/>: Kafka's log.flush.interval.ms. Every tick flushes the partitions
/// that are dirty (appended past their durable end, or with waiters).</item>
/// <item><see cref="EveryMessages"/>: Kafka's log.flush.interval.messages. A partition is flushed when
/// the messages appended since its last flush reach the threshold, even if nobody waits (acks=0/1
/// data), and, as under <see cref="Immediate"/>, whenever someone waits.</item>
/// </list>
/// </remarks>
public sealed class CommitPolicy
{
    private CommitPolicy(CommitPolicyKind kind, TimeSpan interval, long messages)
    {
        Kind = kind;
        Interval = interval;
        MessageThreshold = messages;
    }

    /// <summary>Flush as soon as anyone waits; waiters arriving during a flush share the next one.</summary>
    public static CommitPolicy Immediate { get; } = new(CommitPolicyKind.Immediate, TimeSpan.Zero, 0);

    /// <summary>Which policy this is.</summary>
    public CommitPolicyKind Kind { get; }

    /// <summary>The tick period of <see cref="CommitPolicyKind.EveryInterval"/>; zero otherwise.</summary>
    public TimeSpan Interval { get; }

    /// <summary>The message count of <see cref="CommitPolicyKind.EveryMessages"/>; zero otherwise.</summary>
    public long MessageThreshold { get; }

    /// <summary>Flush dirty partitions every <paramref name="interval"/> (log.flush.interval.ms).</summary>
    public static CommitPolicy EveryInterval(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return new CommitPolicy(CommitPolicyKind.EveryInterval, interval, 0);
    }

    /// <summary>Flush a partition once <paramref name="messages"/> messages were appended since its last flush (log.flush.interval.messages).</summary>
    public static CommitPolicy EveryMessages(long messages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messages, 1);
        return new CommitPolicy(CommitPolicyKind.EveryMessages, TimeSpan.Zero, messages);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        CommitPolicyKind.EveryInterval => $"EveryInterval({Interval.TotalMilliseconds} ms)",
        CommitPolicyKind.EveryMessages => $"EveryMessages({MessageThreshold})",
        _ => "Immediate",
    };
}
