namespace FastLog.Engine.Index;

/// <summary>
/// Reads the sort key of one mapped index entry. Implemented by empty structs so the generic
/// search in <see cref="IndexSearch"/> is compiled once per key with the read inlined.
/// </summary>
internal unsafe interface IIndexKey
{
    /// <summary>Reads the key of the entry that starts at <paramref name="entry"/>.</summary>
    static abstract long Read(byte* entry);
}
