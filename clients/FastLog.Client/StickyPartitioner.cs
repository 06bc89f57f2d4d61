using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace FastLog.Client;

/// <summary>
/// Partitioning for records without a key (the idea of KIP-480): every record of a topic goes to one
/// partition until the batch for it completes, then a different partition is chosen, so batches fill up
/// instead of many small ones being spread over all partitions. Thread-safe.
/// </summary>
public sealed class StickyPartitioner
{
    private readonly ConcurrentDictionary<string, int> _current = new(StringComparer.Ordinal);
    private readonly Func<int, int> _nextRandom;

    /// <summary>Creates a partitioner that picks partitions at random.</summary>
    public StickyPartitioner()
        : this(RandomNumberGenerator.GetInt32)
    {
    }

    /// <summary>For tests: <paramref name="nextRandom"/> returns a value in [0, n) for n.</summary>
    internal StickyPartitioner(Func<int, int> nextRandom)
    {
        _nextRandom = nextRandom;
    }

    /// <summary>The partition the next key-less record of <paramref name="topic"/> should go to.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    public int Partition(string topic, int numPartitions)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        while (true)
        {
            if (_current.TryGetValue(topic, out int partition))
            {
                if (partition < numPartitions)
                {
                    return partition;
                }

                // The partition count shrank under us (or metadata changed): choose again.
                int replacement = _nextRandom(numPartitions);
                if (_current.TryUpdate(topic, replacement, partition))
                {
                    return replacement;
                }
            }
            else
            {
                int chosen = _nextRandom(numPartitions);
                if (_current.TryAdd(topic, chosen))
                {
                    return chosen;
                }
            }
        }
    }

    /// <summary>
    /// Tells the partitioner the batch being filled on <paramref name="previousPartition"/> completed, so key-less
    /// records move to another partition. Only the first notice for the current sticky partition switches it;
    /// later ones for the same batch (from other threads) are ignored.
    /// </summary>
    /// <returns>The partition key-less records now go to.</returns>
    public int OnNewBatch(string topic, int numPartitions, int previousPartition)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        while (true)
        {
            int current = Partition(topic, numPartitions);
            if (current != previousPartition)
            {
                return current;
            }

            int next = current;
            if (numPartitions > 1)
            {
                // Uniform over the other partitions: draw from n - 1 and skip the previous one.
                next = _nextRandom(numPartitions - 1);
                if (next >= previousPartition)
                {
                    next++;
                }
            }

            if (_current.TryUpdate(topic, next, current))
            {
                return next;
            }
        }
    }
}
