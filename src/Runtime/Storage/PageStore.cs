using Persistence.BTree;

namespace Persistence.Storage;

/// <summary>
/// The data file seen as pages: verified reads through the page cache, and the writes and flushes of checkpoints.
/// Implements <see cref="INodeSource"/> for trees.
/// </summary>
internal sealed class PageStore : INodeSource, IDisposable
{
    private readonly IStorageFile _file;
    private readonly Action<Exception> _onCorruption;

    public PageStore(IStorageFile file, int pageSize, long cacheBytes, Action<Exception> onCorruption)
    {
        _file = file;
        PageSize = pageSize;
        _onCorruption = onCorruption;
        Cache = new PageCache(cacheBytes, pageSize);
        Pages = new PagePool(pageSize, PoolPages(cacheBytes, pageSize)) { Cache = Cache };
    }

    private long _newestGeneration = long.MaxValue;

    public int PageSize { get; }

    /// <summary>
    /// The newest generation a page read now may carry: the durable checkpoint's sequence plus one (pages that the next
    /// checkpoint, a large transaction or recovery writes ahead of it). A page sealed later was written after a
    /// checkpoint this open does not know: the newest meta page was lost and the open fell back to the one before, and
    /// the page's place was reused since. Its checksum, number and type are all valid, so only this tells it apart.
    /// </summary>
    public long NewestGeneration
    {
        get => Volatile.Read(ref _newestGeneration);
        set => Volatile.Write(ref _newestGeneration, value);
    }

    public PagePool Pages { get; }

    public PageCache Cache { get; }

    public string Path => _file.Path;

    public long FileLength => _file.Length;

    public long PagesRead => Cache.Misses;

    public Node Load(PageId id)
    {
        if (Cache.TryGet(id, out var cached))
        {
            return cached;
        }

        var page = Pages.Rent(zeroed: false, longLived: true);
        ReadVerified(id, page, PageType.None);
        return Cache.GetOrAdd(new Node(page, id));
    }

    /// <summary>
    /// How many recycled page buffers to keep: a quarter of the page cache's budget (64 MiB by default), enough for the
    /// pages two consecutive commits of a thousand scattered changes copy (a commit's buffers come back once the version
    /// before it retires, which a reader can delay past the next commit).
    /// </summary>
    internal static int PoolPages(long cacheBytes, int pageSize) => (int)Math.Clamp(cacheBytes / pageSize / 4, 64, 1 << 20);

    public byte[] ReadOverflow(PageId first, int length)
    {
        var pages = Overflow.PageCount(length, PageSize);
        var buffer = new byte[pages * PageSize];
        ReadExact(first, buffer);
        try
        {
            for (var i = 0; i < pages; i++)
            {
                CheckGeneration(buffer.AsSpan(i * PageSize, PageSize), new PageId(first.Value + i));
            }

            return Overflow.Decode(buffer, first, length, PageSize, Path);
        }
        catch (CorruptionException ex)
        {
            _onCorruption(ex);
            throw;
        }
    }

    /// <summary>Reads page <paramref name="id"/> into <paramref name="page"/> and verifies it, bypassing the cache.</summary>
    public void ReadVerified(PageId id, Span<byte> page, PageType expected)
    {
        ReadExact(id, page);
        try
        {
            PageHeader.Verify(page, id, expected, Path);
            CheckGeneration(page, id);
        }
        catch (CorruptionException ex)
        {
            _onCorruption(ex);
            throw;
        }
    }

    /// <summary>Like <see cref="ReadVerified"/> but without marking the database read-only: the checker reports, it does not react.</summary>
    public void ReadVerifiedForCheck(PageId id, Span<byte> page, PageType expected)
    {
        var read = _file.Read(id.Value * PageSize, page);
        if (read != page.Length)
        {
            throw PageHeader.Corrupt(Path, id, "the file ends inside the page");
        }

        PageHeader.Verify(page, id, expected, Path);
        CheckGeneration(page, id);
    }

    /// <summary>Writes sealed pages, coalescing runs of consecutive page numbers into single vectored writes.</summary>
    public void WritePages(List<(PageId Id, ReadOnlyMemory<byte> Bytes)> pages)
    {
        pages.Sort(static (a, b) => a.Id.Value.CompareTo(b.Id.Value));
        var run = new List<ReadOnlyMemory<byte>>();
        var i = 0;
        while (i < pages.Count)
        {
            var start = pages[i].Id.Value;
            var next = start;
            run.Clear();
            while (i < pages.Count && pages[i].Id.Value == next)
            {
                run.Add(pages[i].Bytes);
                next += pages[i].Bytes.Length / PageSize;
                i++;
            }

            _file.Write(start * PageSize, run);
        }
    }

    public void WriteAt(PageId id, ReadOnlySpan<byte> bytes) => _file.Write(id.Value * PageSize, bytes);

    public void SetLengthInPages(long pages) => _file.SetLength(pages * PageSize);

    public void Flush() => _file.Flush();

    public void Dispose() => _file.Dispose();

    private void CheckGeneration(ReadOnlySpan<byte> page, PageId id)
    {
        var generation = PageHeader.GetGeneration(page);
        var newest = NewestGeneration;
        if (generation > newest)
        {
            throw PageHeader.Corrupt(Path, id, $"it was written in generation {generation}, after any this database's checkpoint allows (at most {newest}): it was written after a checkpoint whose meta page is lost, over a page the open's checkpoint still uses");
        }
    }

    private void ReadExact(PageId id, Span<byte> buffer)
    {
        var read = _file.Read(id.Value * PageSize, buffer);
        if (read != buffer.Length)
        {
            var ex = PageHeader.Corrupt(Path, id, $"the file ends inside the page (read {read} of {buffer.Length} bytes)");
            _onCorruption(ex);
            throw ex;
        }
    }
}
