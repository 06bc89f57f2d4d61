namespace FastLog.Engine.Commit;

/// <summary>
/// Something the group committer can make durable: in practice one partition log's active segment
/// (and whatever else must reach disk with it).
/// </summary>
/// <remarks>
/// Threading: <see cref="FlushToDisk"/> is called only on the committer's flusher thread, never
/// concurrently with itself, and never again after <see cref="GroupCommitter.Unregister"/> returns.
/// It may run concurrently with appends; that is why the implementation reads its log end offset
/// before it syncs: everything below that offset was in the page cache when the sync began, so the
/// sync covers it. Reading the offset afterwards would claim bytes appended during the sync.
/// </remarks>
public interface IFlushable
{
    /// <summary>
    /// Makes everything appended so far durable (fsync/fdatasync) and returns the exclusive end
    /// offset the flush covers: every offset below the returned value is durable.
    /// </summary>
    /// <exception cref="IOException">The sync failed. The committer then fails the partition for good:
    /// after a failed fsync the kernel may have dropped the dirty pages, so a retry proves nothing.</exception>
    long FlushToDisk();

    /// <summary>
    /// Called on the same thread right after a successful <see cref="FlushToDisk"/> and after the waiters
    /// it covered were completed: room for work that must not delay them (the partition log prepares
    /// its segment's tail here). A throw fails the partition like a failed flush. Returns whether it
    /// synced anything of its own, which the committer reports to <see cref="IFlushObserver.OnPrepared"/>.
    /// </summary>
    bool AfterFlush() => false;
}
