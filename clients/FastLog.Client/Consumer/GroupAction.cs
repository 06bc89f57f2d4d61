namespace FastLog.Client.Consumer;

/// <summary>
/// A rebalance step the group loop hands to the consuming thread, because it changes what that thread reads:
/// revoke (commit their positions, call the handler, stop reading them), declare lost (no commit: the member is
/// no longer in the generation), and add newly assigned partitions. Running it there, between two records, is
/// what guarantees no record of a revoked partition is handed out after its position was committed — the same
/// reason Java runs rebalance listeners inside <c>poll</c>.
/// </summary>
internal sealed class GroupAction
{
    public IReadOnlyList<TopicPartition> Revoked { get; init; } = [];

    public IReadOnlyList<TopicPartition> Lost { get; init; } = [];

    /// <summary>Null when the step assigns nothing (no "assigned" callback then).</summary>
    public IReadOnlyList<TopicPartition>? Assigned { get; init; }

    /// <summary>Commit the revoked partitions' positions first (<c>enable.auto.commit</c>).</summary>
    public bool CommitRevoked { get; init; }

    /// <summary>Completed by the consuming thread once the step is applied (cancelled if the consumer closes first).</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Set when the member left the group (max.poll.interval.ms passed) before the consuming thread got to the
    /// step: the step no longer applies, and every partition held is lost instead.
    /// </summary>
    public bool Abandoned => Volatile.Read(ref _abandoned);

    private bool _abandoned;

    public void Abandon() => Volatile.Write(ref _abandoned, true);
}
