using Persistence.BTree;

namespace Persistence.Storage;

/// <summary>
/// Which pages are free. Two sets are kept: <c>used</c>, the pages reachable from the last durable checkpoint (what the
/// persisted bitmap says), and <c>reusable</c>, the pages that may be written now: not used, and not reachable by any
/// live snapshot. Only checkpoints allocate pages; commits never write the data file.
/// </summary>
/// <remarks>
/// The persisted form is a bitmap (bit set = page in use) in pages of type <see cref="PageType.FreeMap"/>, listed in
/// the meta page. A checkpoint rewrites only the bitmap pages whose bits changed, each to a fresh location, so the
/// cost of free-space tracking grows with the change, not with the file.
/// </remarks>
internal sealed partial class FreeSpaceMap
{
    private readonly Lock _lock = new();
    private readonly PageStore _store;
    private PageBitmap _used;
    private readonly PageBitmap _reusable;
    private long _searchFrom;

    private FreeSpaceMap(PageStore store, PageBitmap used, long pageCount, PageId[] bitmapPages)
    {
        _store = store;
        _used = used;
        PageCount = pageCount;
        BitmapPages = bitmapPages;
        _reusable = new PageBitmap(pageCount);
        for (var p = 2L; p < pageCount; p++)
        {
            if (!used[p])
            {
                _reusable.Set(p);
            }
        }

        _searchFrom = 2;
    }

    public int PageSize => _store.PageSize;

    /// <summary>Pages covered by one bitmap page.</summary>
    public long PagesPerBitmapPage => (PageSize - PageHeader.Size) * 8L;

    /// <summary>
    /// The pages the allocator may hand out: the data file's pages and the growth not yet written. The file itself ends
    /// at the last page written (writes extend it), so it can be shorter.
    /// </summary>
    public long PageCount { get; private set; }

    /// <summary>Where the durable checkpoint's bitmap pages are.</summary>
    public PageId[] BitmapPages { get; private set; }

    /// <summary>
    /// Pages to add when the allocator runs out: a sixty-fourth of the file, between 64 pages and 8 MiB. Growing does not
    /// touch the file: it grows as pages are written (the file system allocates blocks then anyway), so the file never
    /// ends in a step of pages that were never written, and the checkpoint records only the pages up to the last one
    /// in use (<see cref="FreeMapUpdate.PageCount"/>).
    /// </summary>
    private long GrowthPages => Math.Clamp(PageCount / 64, 64, (8L << 20) / PageSize);

    public static FreeSpaceMap Create(PageStore store, long pageCount)
    {
        var used = new PageBitmap(pageCount);
        used.Set(0);
        used.Set(1);
        return new FreeSpaceMap(store, used, pageCount, []);
    }

    /// <summary>Reads and verifies the bitmap pages listed in <paramref name="meta"/>.</summary>
    public static FreeSpaceMap Load(PageStore store, MetaPage meta, long filePages)
    {
        var used = new PageBitmap(meta.PageCount);
        used.Set(0);
        used.Set(1);
        var page = new byte[meta.PageSize];
        var perPage = (meta.PageSize - PageHeader.Size) * 8L;
        for (var i = 0; i < meta.BitmapPages.Length; i++)
        {
            store.ReadVerified(meta.BitmapPages[i], page, PageType.FreeMap);
            used.LoadFrom(i * perPage, page.AsSpan(PageHeader.Size));
        }

        // Pages past the checkpoint's page count (a growth that no checkpoint recorded) are free.
        used.ClearRange(meta.PageCount, Math.Max(0, used.Capacity - meta.PageCount));
        return new FreeSpaceMap(store, used, Math.Max(meta.PageCount, filePages), meta.BitmapPages);
    }

    public long UsedPages
    {
        get
        {
            lock (_lock)
            {
                return _used.CountSet(PageCount);
            }
        }
    }

    public long ReusablePages
    {
        get
        {
            lock (_lock)
            {
                return _reusable.CountSet(PageCount);
            }
        }
    }

    /// <summary>The highest page the durable checkpoint uses (1 when only the meta pages are used).</summary>
    public long HighestUsedPage()
    {
        lock (_lock)
        {
            return Math.Max(1, _used.LastSet(PageCount));
        }
    }

    /// <summary>
    /// Stops allocating at <paramref name="end"/> when every page from there on is reusable; returns false (and changes
    /// nothing) when a page there is used or still pinned by a snapshot.
    /// </summary>
    public bool TryTruncate(long end)
    {
        lock (_lock)
        {
            for (var p = end; p < PageCount; p++)
            {
                if (!_reusable[p])
                {
                    return false;
                }
            }

            _reusable.ClearRange(end, PageCount - end);
            PageCount = end;
            _searchFrom = Math.Min(_searchFrom, end);
            return true;
        }
    }

    /// <summary>
    /// The first page of the run of reusable pages that ends the allocator's space (its page count when the last page is
    /// not reusable): nothing uses or can reach any page from there on.
    /// </summary>
    public long ReusableTailStart()
    {
        lock (_lock)
        {
            return TailStart();
        }
    }

    private long TailStart()
    {
        var tail = PageCount;
        while (tail > 2 && _reusable[tail - 1])
        {
            tail--;
        }

        return tail;
    }

    /// <summary>True when the durable checkpoint's bitmap marks <paramref name="page"/> as in use.</summary>
    public bool IsUsed(long page)
    {
        lock (_lock)
        {
            return _used[page];
        }
    }

    /// <summary>Allocates <paramref name="count"/> consecutive reusable pages, growing the file when none are free.</summary>
    public Extent Allocate(int count)
    {
        lock (_lock)
        {
            var start = FindRun(count);
            if (start < 0)
            {
                start = Grow(count);
            }

            _reusable.ClearRange(start, count);
            return new Extent(new PageId(start), count);
        }
    }

    /// <summary>Makes extents allocatable again: nothing can reach them any more.</summary>
    public void MakeReusable(IEnumerable<Extent> extents)
    {
        lock (_lock)
        {
            foreach (var extent in extents)
            {
                _reusable.SetRange(extent.Start.Value, extent.Count);
                _searchFrom = Math.Min(_searchFrom, extent.Start.Value);
            }
        }
    }

    private long FindRun(int count)
    {
        var from = _searchFrom;
        while (true)
        {
            var start = _reusable.NextSet(from, PageCount);
            if (start < 0)
            {
                return -1;
            }

            if (count == 1)
            {
                _searchFrom = start + 1;
                return start;
            }

            var end = start;
            while (end < PageCount && end - start < count && _reusable[end])
            {
                end++;
            }

            if (end - start == count)
            {
                return start;
            }

            from = end;
        }
    }

    /// <summary>Extends the allocator's space (with free pages); returns the start of a run of <paramref name="count"/> pages.</summary>
    private long Grow(int count)
    {
        var tail = TailStart();

        var newCount = Math.Max(tail + count, PageCount + GrowthPages);
        _reusable.SetRange(PageCount, newCount - PageCount);
        PageCount = newCount;
        return tail;
    }
}
