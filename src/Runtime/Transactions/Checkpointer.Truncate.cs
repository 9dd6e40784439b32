namespace Persistence.Transactions;

internal sealed partial class Checkpointer
{
    /// <summary>
    /// Truncates the data file after its last used page when every page past it is reusable (free, and reachable by
    /// no snapshot), or, when a snapshot still reaches pages that the last commits freed, after the last of those. The
    /// smaller page count is first made durable in a meta page, then the file is cut (never below that count), so a
    /// crash in between leaves a file longer than its meta says, which is harmless (the reverse would be refused as
    /// truncated).
    /// </summary>
    public void TryTruncate()
    {
        lock (_run)
        {
            ThrowIfClosed();
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
                // Cut after the last page that is not reusable. Not at the forced checkpoint's page count: its bitmap
                // already leaves out the pages that commits since the last checkpoint freed, and a snapshot older than
                // those commits can still read them (it made a long reader read past the end of the file). Past the
                // meta page's count the file only grows longer than it says, which is harmless.
                var pages = Math.Max(Durable.PageCount, _freeSpace.ReusableTailStart());
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
