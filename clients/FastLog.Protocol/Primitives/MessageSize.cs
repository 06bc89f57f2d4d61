namespace FastLog.Protocol;

/// <summary>
/// Size accumulator for <c>AddSize</c>. <see cref="TotalBytes"/> is the wire size (what a frame's length
/// prefix counts); <see cref="ExternalBytes"/> is the part made of external records, which a writer does not
/// produce itself, so the buffer a writer needs is <see cref="InlineBytes"/>.
/// </summary>
public struct MessageSize
{
    public int TotalBytes { get; private set; }

    public int ExternalBytes { get; private set; }

    public readonly int InlineBytes => TotalBytes - ExternalBytes;

    public void Add(int bytes) => TotalBytes = checked(TotalBytes + bytes);

    public void AddExternal(int bytes)
    {
        TotalBytes = checked(TotalBytes + bytes);
        ExternalBytes = checked(ExternalBytes + bytes);
    }

    /// <summary>Adds another accumulator, e.g. a tagged field sized separately for its size prefix.</summary>
    public void Add(in MessageSize other)
    {
        TotalBytes = checked(TotalBytes + other.TotalBytes);
        ExternalBytes = checked(ExternalBytes + other.ExternalBytes);
    }
}
