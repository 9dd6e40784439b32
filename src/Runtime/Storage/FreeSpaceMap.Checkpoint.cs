using Persistence.BTree;

namespace Persistence.Storage;

internal sealed partial class FreeSpaceMap
{
    /// <summary>
    /// Computes the bitmap a checkpoint persists: the durable bitmap, minus pages freed by commits since the last
    /// checkpoint and pages the checkpoint releases (the previous catalog), plus pages the checkpoint wrote. Bitmap
    /// pages whose bits change are relocated to fresh pages, which changes bits in turn, until nothing moves.
    /// </summary>
    public FreeMapUpdate PrepareCheckpoint(
        IEnumerable<Extent> freedByCommits, IEnumerable<Extent> written, List<Extent> released, long generation)
    {
        lock (_lock)
        {
            var next = _used.Clone();
            foreach (var extent in freedByCommits.Concat(released))
            {
                next.ClearRange(extent.Start.Value, extent.Count);
            }

            foreach (var extent in written)
            {
                next.SetRange(extent.Start.Value, extent.Count);
            }

            var old = BitmapPages;
            var locations = new List<PageId>(old);
            var relocated = new SortedSet<int>();
            var perPage = PagesPerBitmapPage;
            bool moved;
            do
            {
                moved = false;
                var needed = (int)((PageCount + perPage - 1) / perPage);
                if (needed > MetaPage.MaxBitmapPages(PageSize))
                {
                    throw new StorageException(
                        ErrorCode.OutOfSpace,
                        $"The database reached its maximum size for {PageSize}-byte pages ({MetaPage.MaxBitmapPages(PageSize) * perPage} pages). Use a larger page size.");
                }

                for (var i = 0; i < needed; i++)
                {
                    if (relocated.Contains(i) || (i < old.Length && next.SameRange(_used, i * perPage, perPage)))
                    {
                        continue;
                    }

                    var location = Allocate(1).Start;
                    next.Set(location.Value);
                    if (i < old.Length)
                    {
                        next.Clear(old[i].Value);
                        released.Add(new Extent(old[i], 1));
                    }

                    while (locations.Count <= i)
                    {
                        locations.Add(PageId.None);
                    }

                    locations[i] = location;
                    relocated.Add(i);
                    moved = true;
                }
            }
            while (moved);

            // After a truncation fewer bitmap pages are needed: the surplus ones are released.
            var finalCount = (int)((PageCount + perPage - 1) / perPage);
            for (var i = finalCount; i < old.Length; i++)
            {
                if (!relocated.Contains(i))
                {
                    next.Clear(old[i].Value);
                    released.Add(new Extent(old[i], 1));
                }
            }

            if (locations.Count > finalCount)
            {
                locations.RemoveRange(finalCount, locations.Count - finalCount);
            }

            relocated.RemoveWhere(i => i >= finalCount);
            var pages = new List<(PageId, ReadOnlyMemory<byte>)>();
            foreach (var i in relocated)
            {
                var page = new byte[PageSize];
                PageHeader.Initialize(page, PageType.FreeMap, 0);
                next.CopyTo(i * perPage, page.AsSpan(PageHeader.Size));
                PageHeader.Seal(page, locations[i], generation);
                pages.Add((locations[i], page));
            }

            return new FreeMapUpdate(next, [.. locations], released, pages);
        }
    }

    /// <summary>The checkpoint's meta page is durable: its bitmap becomes the durable one.</summary>
    public void CompleteCheckpoint(FreeMapUpdate update)
    {
        lock (_lock)
        {
            _used = update.Used;
            BitmapPages = update.BitmapPages;
        }

        MakeReusable(update.Released);
    }
}

/// <summary>A checkpoint's new bitmap, where its pages go, and what becomes reusable once it is durable.</summary>
internal sealed record FreeMapUpdate(
    PageBitmap Used,
    PageId[] BitmapPages,
    List<Extent> Released,
    List<(PageId Id, ReadOnlyMemory<byte> Bytes)> Pages)
{
    /// <summary>
    /// The page count the checkpoint's meta page records: one past the last page in use (at least the two meta pages).
    /// Every page in use was written and synced before the meta page, so the file is at least this long; pages past it
    /// are free at the next open.
    /// </summary>
    public long PageCount { get; } = Math.Max(2, Used.LastSet(Used.Capacity) + 1);
}
