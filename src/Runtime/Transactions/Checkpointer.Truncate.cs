namespace Persistence.Transactions;

internal sealed partial class Checkpointer
{
    /// <summary>
    /// Truncates the data file after its last used page when every page past it is reusable (free, and reachable by
    /// no snapshot). The smaller page count is first made durable in a meta page, then the file is cut, so a crash in
    /// between leaves a file longer than its meta says, which is harmless (the reverse would be refused as truncated).
    /// </summary>
    public void TryTruncate()
    {
        lock (_run)
        {
            _database.ThrowIfReadOnly();
            _freeSpace.MakeReusable(_database.Versions.Reclaim(Durable.CheckpointVersion));
            var end = _freeSpace.HighestUsedPage() + 1;
            if (end >= _freeSpace.PageCount || !_freeSpace.TryTruncate(end))
            {
                return;
            }

            Run(force: true);
            try
            {
                // The forced checkpoint may have had to grow the allocator's space again (commits made pages dirty
                // meanwhile), but its meta page records only the pages up to the last in use: cut there, never longer.
                var pages = Durable.PageCount;
                if (pages * _store.PageSize < _store.FileLength)
                {
                    _store.SetLengthInPages(pages);
                    _store.Flush();
                }
            }
            catch (Exception ex)
            {
                _database.MakeReadOnly(ex); // as for every failed write or fsync
                throw;
            }
        }
    }
}
