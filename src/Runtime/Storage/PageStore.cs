using Persistence.BTree;

namespace Persistence.Storage;

/// <summary>
/// The data file seen as pages: verified reads through the page cache, and the writes and flushes of checkpoints.
/// Implements <see cref="INodeSource"/> for trees.
/// </summary>
/// <remarks>
/// <para>Closing the file races reads. A reader checks that the database is open when its operation starts, not before each
/// page it misses, so a read of the file can begin after <see cref="Database.Dispose"/> began, or be under way when it
/// closes the file. Every read of the file (its bytes or its length) therefore counts itself in while it runs, and
/// <see cref="Dispose"/> shuts the door and waits for the reads inside before it closes the file: a read either
/// completes on the open file, or throws <see cref="ErrorCode.DatabaseClosed"/> without touching it, never an
/// <see cref="ObjectDisposedException"/> or an I/O error of a closed handle (which a short read would turn into
/// corruption). The wait is for reads of single pages or extents already in the operating system's hands, never for a
/// transaction: no caller's code runs inside the count, so a thread that disposes cannot wait for itself. It costs
/// two interlocked operations per page-cache miss, beside a system call, and nothing on a hit.</para>
/// <para>Writes are not counted: every write of the data file (checkpoints, truncation, leaves a transaction spills)
/// runs under the checkpointer's lock, which refuses them once the last checkpoint ran (<c>Checkpointer.Close</c>).</para>
/// </remarks>
internal sealed class PageStore : INodeSource, IDisposable
{
    private readonly IStorageFile _file;
    private readonly Action<Exception> _onCorruption;

    // Reads of the file under way, and whether Dispose has shut the door (a Dekker pair: see Dispose and Enter).
    private int _reading;
    private volatile bool _closing;

    public PageStore(IStorageFile file, int pageSize, long cacheBytes, Action<Exception> onCorruption)
    {
        _file = file;
        PageSize = pageSize;
        _onCorruption = onCorruption;
        Cache = new PageCache(cacheBytes, pageSize);
        Pages = new PagePool(pageSize, PoolPages(cacheBytes, pageSize)) { Cache = Cache };
    }

    private long _newestGeneration = long.MaxValue;

    // Pages written since the data file's last successful sync (null: none), and, once a sync failed, those pages for
    // good: see NoteWritten and CheckNotLost. Changed under the checkpointer's lock, as every write is; read by reads.
    private WrittenPages? _unsynced;
    private WrittenPages? _lost;

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

    public long FileLength
    {
        get
        {
            Enter();
            try
            {
                return _file.Length;
            }
            finally
            {
                Interlocked.Decrement(ref _reading);
            }
        }
    }

    /// <summary>True once <see cref="Dispose"/> began: reads that start now are refused, and the close waits for those under way.</summary>
    internal bool Closing => _closing;

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
        var read = ReadFile(id.Value * PageSize, page);
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

            NoteWritten(start, next - start);
            _file.Write(start * PageSize, run);
        }
    }

    public void WriteAt(PageId id, ReadOnlySpan<byte> bytes)
    {
        NoteWritten(id.Value, (bytes.Length + PageSize - 1) / PageSize);
        _file.Write(id.Value * PageSize, bytes);
    }

    public void SetLengthInPages(long pages) => _file.SetLength(pages * PageSize);

    /// <summary>
    /// Syncs the data file. Until it succeeds, a read of a page written since the last sync that finds another generation
    /// than the one written is refused (<see cref="CheckNotLost"/>): the operating system writes dirty pages back on its
    /// own, and when that fails it marks them clean (Linux), evicts them when it likes, and reports the failure to the
    /// next sync only. When the sync fails, those pages are refused so for good.
    /// </summary>
    public void Flush()
    {
        var written = _unsynced;
        try
        {
            _file.Flush();
        }
        catch (Exception) when (written is not null)
        {
            // None is written after a failed sync (the database is read-only), so these pages stay as they are.
            Volatile.Write(ref _lost, written);
            Volatile.Write(ref _unsynced, null);
            throw;
        }

        Volatile.Write(ref _unsynced, null);
    }

    /// <summary>
    /// Refuses reads from now on, waits for those under way (see the remarks), and closes the file. The database calls
    /// it once its last checkpoint ran.
    /// </summary>
    public void Dispose()
    {
        _closing = true;
        Interlocked.MemoryBarrier(); // a full fence: a read's Enter sees the flag, or this sees its count
        var spin = new SpinWait();
        while (Volatile.Read(ref _reading) > 0)
        {
            spin.SpinOnce(sleep1Threshold: 20);
        }

        _file.Dispose();
    }

    private void CheckGeneration(ReadOnlySpan<byte> page, PageId id)
    {
        var generation = PageHeader.GetGeneration(page);
        var newest = NewestGeneration;
        if (generation > newest)
        {
            throw PageHeader.Corrupt(Path, id, $"it was written in generation {generation}, after any this database's checkpoint allows (at most {newest}): it was written after a checkpoint whose meta page is lost, over a page the open's checkpoint still uses");
        }

        CheckNotLost(generation, id);
    }

    /// <summary>
    /// Refuses a page written since the data file's last successful sync, or before a sync failed, that the file no
    /// longer holds: the operating system dropped the write, and the file holds what the disk held there, often an older
    /// page with the same number and a valid checksum, which would otherwise be read as the page the trees point at.
    /// </summary>
    /// <remarks>
    /// Called after the page was read, so that a set it finds was current then or later. A reader reaches a page only
    /// through a pointer published after the page was noted and written, and never while the page can be written again
    /// (it is reusable only once no snapshot reaches it): a page in the set was last written in the set's generation.
    /// </remarks>
    private void CheckNotLost(long generation, PageId id)
    {
        if (Volatile.Read(ref _lost) is { } lost && lost.Refuses(id, generation))
        {
            throw PageHeader.Corrupt(Path, id, $"it was written in generation {lost.Generation} before a sync of the data file failed, and the file now holds a page of generation {generation} there: the operating system lost the write");
        }

        if (Volatile.Read(ref _unsynced) is { } unsynced && unsynced.Refuses(id, generation))
        {
            throw PageHeader.Corrupt(Path, id, $"it was written in generation {unsynced.Generation} and not synced yet, and the file now holds a page of generation {generation} there: the operating system lost the write (its write-back failed)");
        }
    }

    /// <summary>Records pages about to be written, for <see cref="Flush"/> and <see cref="CheckNotLost"/>.</summary>
    /// <remarks>
    /// Every page written between two syncs carries the generation the next checkpoint seals with: its own pages, and
    /// leaves that transactions and recovery write ahead of it (<see cref="NewestGeneration"/>, which changes only after
    /// a checkpoint's last sync succeeded, under the same lock).
    /// </remarks>
    private void NoteWritten(long first, long count)
    {
        if (_unsynced is { } unsynced)
        {
            unsynced.Pages.SetRange(first, count);
            return;
        }

        var created = new WrittenPages(new PageBitmap(first + count), NewestGeneration);
        created.Pages.SetRange(first, count);
        Volatile.Write(ref _unsynced, created);
    }

    /// <summary>
    /// Pages written between two syncs of the data file, all sealed with <paramref name="Generation"/>. Only the
    /// checkpointer's lock adds to <paramref name="Pages"/>; reads test it meanwhile.
    /// </summary>
    private sealed record WrittenPages(PageBitmap Pages, long Generation)
    {
        /// <summary>True when <paramref name="id"/> is in the set and the file holds another generation there.</summary>
        public bool Refuses(PageId id, long generation)
        {
            if (generation == Generation)
            {
                return false;
            }

            var words = Pages.Words; // one read of the array, which a write that grows the set replaces
            var word = id.Value >> 6;
            return word < words.Length && (words[(int)word] & (1UL << (int)(id.Value & 63))) != 0;
        }
    }

    /// <summary>Counts a read of the file in, or throws <see cref="ErrorCode.DatabaseClosed"/> once the store is closing.</summary>
    private void Enter()
    {
        Interlocked.Increment(ref _reading); // a full fence, before the flag is read
        if (_closing)
        {
            Interlocked.Decrement(ref _reading);
            throw TransactionStateException.DatabaseClosed();
        }
    }

    /// <summary>Reads through the file while it is open (see the remarks). Runs nothing but the read inside the count.</summary>
    private int ReadFile(long offset, Span<byte> buffer)
    {
        Enter();
        try
        {
            return _file.Read(offset, buffer);
        }
        finally
        {
            Interlocked.Decrement(ref _reading);
        }
    }

    private void ReadExact(PageId id, Span<byte> buffer)
    {
        var read = ReadFile(id.Value * PageSize, buffer);
        if (read != buffer.Length)
        {
            var ex = PageHeader.Corrupt(Path, id, $"the file ends inside the page (read {read} of {buffer.Length} bytes)");
            _onCorruption(ex);
            throw ex;
        }
    }
}
