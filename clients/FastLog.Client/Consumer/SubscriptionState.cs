namespace FastLog.Client.Consumer;

/// <summary>
/// The consumer's assignment: the subscribed topics (or the manual assignment) and a <see cref="PartitionState"/>
/// per assigned partition. Background loops (fetch, position lookup, group membership) and the consuming thread
/// share it; every change happens under <see cref="Gate"/>, and <see cref="Partitions"/> is a copy-on-write
/// snapshot the loops can scan without the lock. Every change calls <see cref="NotifyChanged"/> so idle loops
/// look again.
/// </summary>
internal sealed class SubscriptionState
{
    private readonly Dictionary<TopicPartition, PartitionState> _byPartition = [];
    private PartitionState[] _partitions = [];

    public Lock Gate { get; } = new();

    /// <summary>Wakes the fetcher's dispatcher.</summary>
    public AsyncSignal FetchWake { get; } = new();

    /// <summary>Wakes the position resolver.</summary>
    public AsyncSignal ResolveWake { get; } = new();

    /// <summary>Something changed that the fetcher or the position resolver may act on.</summary>
    public void NotifyChanged()
    {
        FetchWake.Set();
        ResolveWake.Set();
    }

    /// <summary>Subscribed topics (group mode), sorted; empty otherwise.</summary>
    public IReadOnlyList<string> Topics { get; private set; } = [];

    /// <summary>True after <c>Assign</c>: partitions chosen by the application, no group membership.</summary>
    public bool IsManual { get; private set; }

    /// <summary>True after <c>Subscribe</c>.</summary>
    public bool IsSubscribed => Topics.Count > 0;

    /// <summary>The assigned partitions (snapshot).</summary>
    public PartitionState[] Partitions => Volatile.Read(ref _partitions);

    public PartitionState? Find(TopicPartition partition)
    {
        lock (Gate)
        {
            return _byPartition.GetValueOrDefault(partition);
        }
    }

    public List<TopicPartition> AssignedPartitions()
    {
        PartitionState[] partitions = Partitions;
        var list = new List<TopicPartition>(partitions.Length);
        foreach (PartitionState state in partitions)
        {
            list.Add(state.TopicPartition);
        }

        list.Sort();
        return list;
    }

    public void Subscribe(IReadOnlyList<string> topics)
    {
        lock (Gate)
        {
            if (IsManual)
            {
                throw new InvalidOperationException("Subscribe and Assign are mutually exclusive: call Unassign first.");
            }

            Topics = topics;
        }

        NotifyChanged();
    }

    /// <summary>Replaces the manual assignment; partitions kept keep their position.</summary>
    public void AssignManually(IReadOnlyCollection<TopicPartition> partitions, PositionSource initial)
    {
        lock (Gate)
        {
            if (IsSubscribed)
            {
                throw new InvalidOperationException("Subscribe and Assign are mutually exclusive: call Unsubscribe first.");
            }

            IsManual = partitions.Count > 0;
            var wanted = new HashSet<TopicPartition>(partitions);
            foreach (PartitionState state in _byPartition.Values.Where(s => !wanted.Contains(s.TopicPartition)).ToList())
            {
                RemoveLocked(state);
            }

            foreach (TopicPartition partition in wanted)
            {
                if (!_byPartition.ContainsKey(partition))
                {
                    AddLocked(partition, initial);
                }
            }

            Publish();
        }

        NotifyChanged();
    }

    /// <summary>Adds partitions handed out by the group; their positions come from <paramref name="initial"/>.</summary>
    public void AddAssigned(IEnumerable<TopicPartition> partitions, PositionSource initial)
    {
        lock (Gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                if (!_byPartition.ContainsKey(partition))
                {
                    AddLocked(partition, initial);
                }
            }

            Publish();
        }

        NotifyChanged();
    }

    /// <summary>Drops partitions (revoked, lost, unassigned); their buffered data becomes stale.</summary>
    public void Remove(IEnumerable<TopicPartition> partitions)
    {
        lock (Gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                if (_byPartition.TryGetValue(partition, out PartitionState? state))
                {
                    RemoveLocked(state);
                }
            }

            Publish();
        }

        NotifyChanged();
    }

    /// <summary>Drops everything and the subscription.</summary>
    public void Clear()
    {
        lock (Gate)
        {
            foreach (PartitionState state in _byPartition.Values.ToList())
            {
                RemoveLocked(state);
            }

            Topics = [];
            IsManual = false;
            Publish();
        }

        NotifyChanged();
    }

    private void AddLocked(TopicPartition partition, PositionSource initial)
    {
        var state = new PartitionState(partition);
        state.ResetTo(initial);
        _byPartition[partition] = state;
    }

    private void RemoveLocked(PartitionState state)
    {
        state.Removed = true;
        state.Version++;
        _byPartition.Remove(state.TopicPartition);
    }

    private void Publish() => Volatile.Write(ref _partitions, [.. _byPartition.Values.OrderBy(s => s.TopicPartition)]);
}
