namespace FastLog.Engine.Cleaning;

/// <summary>What one cleaning pass over one log did.</summary>
/// <param name="Cleaned">False when the pass was skipped (not compacted, nothing dirty, ratio below min.cleanable.dirty.ratio) or aborted.</param>
/// <param name="DirtyRatio">Dirty bytes / closed-segment bytes when the pass started.</param>
/// <param name="SegmentsSwapped">Segments replaced by a cleaned copy.</param>
/// <param name="BytesRead">Segment bytes read (map building and copying).</param>
/// <param name="BytesWritten">Bytes of cleaned segments written.</param>
/// <param name="RecordsRemoved">Records dropped: overwritten, expired tombstones, keyless.</param>
public readonly record struct CleanResult(bool Cleaned, double DirtyRatio, int SegmentsSwapped, long BytesRead, long BytesWritten, long RecordsRemoved)
{
    public static CleanResult Skipped(double dirtyRatio) => new(false, dirtyRatio, 0, 0, 0, 0);
}
