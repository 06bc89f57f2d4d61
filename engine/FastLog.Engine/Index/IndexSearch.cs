namespace FastLog.Engine.Index;

/// <summary>
/// Binary search over mapped index entries sorted by a non-decreasing key.
/// </summary>
/// <remarks>
/// Almost every lookup (fetches by consumers that keep up, appends that check the tail) lands in
/// the newest entries. A plain binary search over the whole file would touch a page near the middle,
/// a page near the quarter and so on, keeping cold pages resident and faulting them in after the
/// OS evicts them. So the search first tries the last <see cref="WarmSectionBytes"/> of entries,
/// whose few pages stay hot, and only falls back to the whole file for older targets.
/// </remarks>
internal static unsafe class IndexSearch
{
    /// <summary>Size of the tail that is searched first: two 4 KiB pages on common hardware.</summary>
    public const int WarmSectionBytes = 8192;

    /// <summary>
    /// Returns the largest slot in [0, <paramref name="entryCount"/>) whose key is at most
    /// <paramref name="target"/>, or -1 when every key is larger (or there are no entries).
    /// </summary>
    public static int LargestAtOrBelow<TKey>(byte* entries, int entryCount, int entrySizeBytes, long target)
        where TKey : struct, IIndexKey
    {
        if (entryCount == 0)
        {
            return -1;
        }

        int warmStart = Math.Max(0, entryCount - (WarmSectionBytes / entrySizeBytes));
        if (TKey.Read(entries + ((long)warmStart * entrySizeBytes)) <= target)
        {
            return Search<TKey>(entries, entrySizeBytes, warmStart, entryCount - 1, target);
        }

        if (TKey.Read(entries) > target)
        {
            return -1;
        }

        // The key at warmStart is known to be too large, so the answer lies strictly before it.
        return Search<TKey>(entries, entrySizeBytes, 0, warmStart - 1, target);
    }

    /// <summary>Largest slot in [<paramref name="low"/>, <paramref name="high"/>] with key &lt;= target; requires key(low) &lt;= target.</summary>
    private static int Search<TKey>(byte* entries, int entrySizeBytes, int low, int high, long target)
        where TKey : struct, IIndexKey
    {
        while (low < high)
        {
            // Round the midpoint up so "low = mid" always makes progress.
            int mid = low + ((high - low + 1) >> 1);
            if (TKey.Read(entries + ((long)mid * entrySizeBytes)) <= target)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }
}
